<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>ConflictBar</name>
    <message numerus="yes">
        <source>%n file(s) already exist in the bucket: {names}. What should happen to them?</source>
        <translation>
            <numerusform>%n file already exists in the bucket: {names}. What should happen to it?</numerusform>
            <numerusform>%n files already exist in the bucket: {names}. What should happen to them?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n selected file(s) already exist in the bucket: {names}. What should happen to them?</source>
        <translation>
            <numerusform>%n selected file already exists in the bucket: {names}. What should happen to it?</numerusform>
            <numerusform>%n selected files already exist in the bucket: {names}. What should happen to them?</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Deleting</name>
    <message numerus="yes">
        <source>%n delete marker(s)</source>
        <translation>
            <numerusform>%n delete marker</numerusform>
            <numerusform>%n delete markers</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n version(s) ({size})</source>
        <translation>
            <numerusform>%n version ({size})</numerusform>
            <numerusform>%n versions ({size})</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete %n object(s) ({size}) from {where}: {names}?</source>
        <translation>
            <numerusform>Delete %n object ({size}) from {where}: {names}?</numerusform>
            <numerusform>Delete %n objects ({size}) from {where}: {names}?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete the folder {name} and the %n object(s) in it ({size}) from {where}?</source>
        <translation>
            <numerusform>Delete the folder {name} and the %n object in it ({size}) from {where}?</numerusform>
            <numerusform>Delete the folder {name} and the %n objects in it ({size}) from {where}?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete {names} from {where}? With everything in the folders, that is %n object(s) ({size}).</source>
        <translation>
            <numerusform>Delete {names} from {where}? With everything in the folders, that is %n object ({size}).</numerusform>
            <numerusform>Delete {names} from {where}? With everything in the folders, that is %n objects ({size}).</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Downloading</name>
    <message numerus="yes">
        <source>%n file(s) to download already exist in {folder}: {names}</source>
        <translation>
            <numerusform>%n file to download already exists in {folder}: {names}</numerusform>
            <numerusform>%n files to download already exist in {folder}: {names}</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>HistoryView</name>
    <message numerus="yes">
        <source>Entries: %Ln</source>
        <translation>
            <numerusform>Entries: %Ln</numerusform>
            <numerusform>Entries: %Ln</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Saved {path} (entries: %Ln)</source>
        <translation>
            <numerusform>Saved {path} (entries: %Ln)</numerusform>
            <numerusform>Saved {path} (entries: %Ln)</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>IncompleteUploadsDialog</name>
    <message numerus="yes">
        <source>Abort %n upload(s)</source>
        <translation>
            <numerusform>Abort %n upload</numerusform>
            <numerusform>Abort %n uploads</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>LeavingQuestions</name>
    <message numerus="yes">
        <source>%n download(s) have not finished: {names}. They stop now and leave no partial file.</source>
        <translation>
            <numerusform>%n download has not finished: {names}. It stops now and leaves no partial file.</numerusform>
            <numerusform>%n downloads have not finished: {names}. They stop now and leave no partial file.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n of them are paused and stay paused until you resume them.</source>
        <translation>
            <numerusform>%n of them is paused and stays paused until you resume it.</numerusform>
            <numerusform>%n of them are paused and stay paused until you resume them.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n upload(s) have not finished: {names}. If you quit now, they go on from where they stopped the next time you open s3desk.</source>
        <translation>
            <numerusform>%n upload has not finished: {names}. If you quit now, it goes on from where it stopped the next time you open s3desk.</numerusform>
            <numerusform>%n uploads have not finished: {names}. If you quit now, they go on from where they stopped the next time you open s3desk.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n upload(s) have not finished: {names}. If you switch now, they go on from where they stopped when you choose {storage} again.</source>
        <translation>
            <numerusform>%n upload has not finished: {names}. If you switch now, it goes on from where it stopped when you choose {storage} again.</numerusform>
            <numerusform>%n uploads have not finished: {names}. If you switch now, they go on from where they stopped when you choose {storage} again.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n upload(s) have not finished: {names}. The local demo storage is cleared when s3desk quits, so they will be lost.</source>
        <translation>
            <numerusform>%n upload has not finished: {names}. The local demo storage is cleared when s3desk quits, so it will be lost.</numerusform>
            <numerusform>%n uploads have not finished: {names}. The local demo storage is cleared when s3desk quits, so they will be lost.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n upload(s) have not finished: {names}. The local demo storage keeps nothing unfinished when you switch away, so they will be lost.</source>
        <translation>
            <numerusform>%n upload has not finished: {names}. The local demo storage keeps nothing unfinished when you switch away, so it will be lost.</numerusform>
            <numerusform>%n uploads have not finished: {names}. The local demo storage keeps nothing unfinished when you switch away, so they will be lost.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>All %n paused: they stay paused until you resume them.</source>
        <translation>
            <numerusform>It is paused and stays paused until you resume it.</numerusform>
            <numerusform>They are all paused and stay paused until you resume them.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message numerus="yes">
        <source>{done} of %n file(s) done</source>
        <translation>
            <numerusform>{done} of %n file done</numerusform>
            <numerusform>{done} of %n files done</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Names</name>
    <message numerus="yes">
        <source>{names} and %n more</source>
        <translation>
            <numerusform>{names} and %n more</numerusform>
            <numerusform>{names} and %n more</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message numerus="yes">
        <source>%n file(s) done ({size})</source>
        <translation>
            <numerusform>%n file done ({size})</numerusform>
            <numerusform>%n files done ({size})</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) done; failed: {names}</source>
        <translation>
            <numerusform>%n file done; failed: {names}</numerusform>
            <numerusform>%n files done; failed: {names}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) failed</source>
        <translation>
            <numerusform>%n file failed</numerusform>
            <numerusform>%n files failed</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message numerus="yes">
        <source>%n upload(s) already started keep their content type.</source>
        <translation>
            <numerusform>%n upload already started keeps its content type.</numerusform>
            <numerusform>%n uploads already started keep their content type.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Cancel %n transfer(s): {names}?</source>
        <translation>
            <numerusform>Cancel %n transfer: {names}?</numerusform>
            <numerusform>Cancel %n transfers: {names}?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Store %n selected upload(s) as:</source>
        <translation>
            <numerusform>Store %n selected upload as:</numerusform>
            <numerusform>Store %n selected uploads as:</numerusform>
        </translation>
    </message>
</context>
</TS>
