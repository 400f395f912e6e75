<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" sourcelanguage="en">
<context>
    <name>AccountForm</name>
    <message>
        <source>(top level)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>AWS profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access key ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checksums</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compatibility (Content-MD5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default bucket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Default folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Endpoint URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Enter the %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill in for a service…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Path-style addressing (MinIO, Ceph, IP addresses)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Preset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Region</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace %1 in the endpoint URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S3 checksums (CRC32)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secret access key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored in the keyring — leave empty to keep</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use Content-MD5 for services that reject S3&apos;s newer checksum headers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. Work</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. us-east-1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional, e.g. eu-west-1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional, for temporary credentials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional; Test connection lists them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>optional; leave empty to keep</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>profile name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>required</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AccountsDialog</name>
    <message>
        <source>%1 (default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;New account&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accounts that use an AWS profile still work: they need no secret stored here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a new account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Don&apos;t remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files already uploaded stay where they are.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the account and its stored secrets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove the account “%1” and its secrets from the keyring?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saved “%1”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set as default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Test connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Testing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The connection test failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use this account when s3desk starts</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BrowserActions</name>
    <message>
        <source>Copy share link…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete permanently (all versions)…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show info panel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show or hide the details of the selection beside the list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Versions</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BrowserBar</name>
    <message>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy share link…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter this folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Incomplete uploads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the versions of the selected object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop deleting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Up one folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Versions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{count}: uploads started here and never finished. Their parts take space and cost money until they are removed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} incomplete upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} incomplete uploads</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BrowserModel</name>
    <message>
        <source>Modified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Storage class</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BrowserView</name>
    <message>
        <source>; stopped before the rest</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; {n} could not be deleted (e.g. {key}: {reason})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; {n} failed (see the Transfers tab)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; {n} object cannot be saved under its name here (see the tooltip)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>; {n} objects cannot be saved under their name here (see the tooltip)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Buckets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copied {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleted {n} object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Deleted {n} objects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloaded {n} file ({size}) to {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloaded {n} files ({size}) to {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloading {n} file ({size}) to {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloading {n} files ({size}) to {folder}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading… {n} so far</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No storage is set up.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was downloaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Objects in this folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} entries, listed in {seconds} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} entry, listed in {seconds} s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} hours</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConflictBar</name>
    <message numerus="yes">
        <source>%n file(s) already exist in the bucket: {names}. What should happen to them?</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n selected file(s) already exist in the bucket: {names}. What should happen to them?</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Keep both</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave these files out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overwrite</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace what is there</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skip</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upload as “name (1)”</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ContentTypeDelegate</name>
    <message>
        <source>Content type</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DailyChart</name>
    <message>
        <source>Bytes uploaded and downloaded per day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From {first} to {last}: {up} uploaded, {down} downloaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No days to show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Point at a day, or use the arrow keys, for its numbers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uploaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bytes per day</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{day}: {up} uploaded, {down} downloaded</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Deleting</name>
    <message numerus="yes">
        <source>%n delete marker(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n version(s) ({size})</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Counting what will be deleted…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Delete %n object(s) ({size}) from {where}: {names}?</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Delete failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete objects?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete permanently</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Delete permanently?</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Delete the folder {name} and the %n object(s) in it ({size}) from {where}?</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>Delete {names} from {where}? With everything in the folders, that is %n object(s) ({size}).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Delete {name} ({size}) from {where}?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Don&apos;t delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every version goes. This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>If the bucket keeps versions, older versions stay and can be restored; otherwise this cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Permanently delete {what} of {which} from {where}?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the folder {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{versions} and {markers}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DestinationBox</name>
    <message>
        <source>(top level)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;No storage chosen yet.&lt;/b&gt; {hint}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;No storage is set up.&lt;/b&gt; {hint}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a bucket to upload to.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Destination bucket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Destination folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files go to your organisation&apos;s upload folder; its upload service checks them and chooses their names.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files go to {location}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files go to {location} (the folder shown in Browse)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upload with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uploads are waiting: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>bucket name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>in folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>to bucket</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Downloading</name>
    <message numerus="yes">
        <source>%n file(s) to download already exist in {folder}: {names}</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Counting what will be downloaded…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download to folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files already exist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep both</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing was downloaded.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace them, keep both (the download gets a new name), or skip them?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skip</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DropHint</name>
    <message>
        <source>Drag files or whole folders onto this window, or use Add files… and Add folder…
Folders keep their structure under the destination folder.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop files here</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryModel</name>
    <message>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bucket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bucket/key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checksum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ETag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Goes on at the next start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Link valid for (seconds)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Renamed from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size (bytes)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped when s3desk quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped when s3desk quit; resumes at the next start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored as: {key}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time (UTC)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upload id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>renamed from {key}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HistoryView</name>
    <message>
        <source>All actions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit log entries, newest first</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not export to {path}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Entries: %Ln</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the history as CSV</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter the history</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Filter: key, bucket, account, user, error…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read the log again (F5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the log…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save the entries shown as a CSV file</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Saved {path} (entries: %Ln)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Show only this action</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shown: {shown} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The log could not be read: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>abandoned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>abort upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>account added</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>account changed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>account removed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delete</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delete version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>new folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>rejected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>restore version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>share link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>upload aborted (service)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>upload queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>upload renamed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>IncompleteUploadsDialog</name>
    <message>
        <source>; and {n} more</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Abort %n upload(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Abort failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abort selected…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abort the selected uploads and delete the parts they hold (Delete)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abort uploads?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abort {uploads} ({size}) in {location}: {names}?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aborted {done}; {failed} could not be aborted: {which}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aborted {uploads}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Aborting {uploads}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Don&apos;t abort</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Incomplete uploads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Incomplete uploads — {location}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>List the incomplete uploads again (F5)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Multipart uploads that were started in %1 and never completed or aborted. The parts already sent are stored, and billed, but show in no listing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No incomplete uploads in {location}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size so far</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Started</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The parts already sent will be deleted, and an upload that is still running will fail. This cannot be undone.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upload ID: {id}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} bytes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} incomplete upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} incomplete uploads</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{uploads}, {size} in all</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InfoField</name>
    <message>
        <source>Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select all</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>InfoPanel</name>
    <message>
        <source>Access denied to tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bucket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cache-Control</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checksum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checksum algorithm</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Content type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Content-Disposition</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copies the s3:// path of the selection to the clipboard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Details not available: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ETag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Encryption</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folders</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KMS key ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last modified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading details…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Metadata {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not available: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a file or folder to see its details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Selection details</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Storage class</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tag {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Total size of the files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User metadata</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Versions</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>access denied (these credentials may not read it)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none reported</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none stored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not set</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>versioning off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} (versioning suspended)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} byte</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} bytes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} item selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} items selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} or more</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{size} ({bytes} bytes)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>LeavingQuestions</name>
    <message numerus="yes">
        <source>%n download(s) have not finished: {names}. They stop now and leave no partial file.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n of them are paused and stay paused until you resume them.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n upload(s) have not finished: {names}. If you quit now, they go on from where they stopped the next time you open s3desk.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n upload(s) have not finished: {names}. If you switch now, they go on from where they stopped when you choose {storage} again.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n upload(s) have not finished: {names}. The local demo storage is cleared when s3desk quits, so they will be lost.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n upload(s) have not finished: {names}. The local demo storage keeps nothing unfinished when you switch away, so they will be lost.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>All %n paused: they stay paused until you resume them.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Don&apos;t quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Don&apos;t switch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Quit now?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Some files have not finished uploading. If you quit now, they are paused and go on from where they stopped the next time you open s3desk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Some files have not finished uploading. The local demo storage is cleared when s3desk quits, so these uploads will be lost.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switch to {storage} now?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transfers have not finished</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Add a folder to upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add files to upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Browse</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a bucket first, then add files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Collecting diagnostic info…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not list buckets: {error}
Type the bucket name instead.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Diagnostic info copied to the clipboard.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This account uploads through your organisation&apos;s upload service, which hands out upload links only: there is no bucket to browse with it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transfers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uploading to {location}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Views</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>{done} of %n file(s) done</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>{done} of {total}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} waiting for your choice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{time} left</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MenuBar</name>
    <message>
        <source>&amp;Edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Full screen</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Minimize</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Transfers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;s3desk&lt;/b&gt; {version}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About s3desk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not open {path}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put files into Amazon S3 and S3-compatible storage, and manage what is there.

Free software under the MIT licence.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select &amp;all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The documentation is the README.md that comes with s3desk&apos;s sources.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Names</name>
    <message numerus="yes">
        <source>{names} and %n more</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>NewFolder</name>
    <message>
        <source>Folder name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Made the folder {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New folder</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Notifier</name>
    <message numerus="yes">
        <source>%n file(s) done ({size})</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) done; failed: {names}</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n file(s) failed</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Transfers finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>s3desk — {done} of {total} files, {percent} ({speed})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PlacesModel</name>
    <message>
        <source>Bucket {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Favourite {name}, {where}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Favourites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listing buckets…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No buckets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>current account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{name} (the account in use)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message numerus="yes">
        <source>%n upload(s) already started keep their content type.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>A paused transfer keeps what was sent and goes on from where it stopped when you resume it: leave it paused to keep that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Cancel %n transfer(s): {names}?</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Cancel and discard</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel transfers?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Content type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Don&apos;t cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Only uploads that have not started can be given another content type; pause them first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause instead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause instead to keep what was sent: a paused transfer goes on from where it stopped when you resume it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the upload and download speed of the last minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Store %n selected upload(s) as:</source>
        <translation type="unfinished">
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Transfer speed &amp;graph</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transfers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{sent} of {total} is already downloaded, and cancelling throws it away: the partial file is deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{sent} of {total} is already sent, and cancelling throws it away: the parts already in the bucket are deleted.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{sent} of {total} is already transferred, and cancelling throws it away: the parts of an upload already sent are deleted, and so is a download&apos;s partial file.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source> MiB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: “%2” is not a rate. %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>As the system is</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask me</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>For example 500K, 20M or 10 MiB/s; a number alone is KiB/s; empty is unlimited.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Greyed-out settings are set by your organisation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep both (name (1).ext)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>None (the bucket&apos;s default)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notifications and appearance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replace the object</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SSE-KMS (AWS KMS key)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>SSE-S3 (keys managed by S3)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skip the file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bucket&apos;s default</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transfer, notification and appearance settings apply at once (a new part size to uploads not yet started). The options of every upload apply after s3desk restarts or another account is chosen.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transfers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unlimited</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>key id, alias or ARN; empty: the aws/s3 key</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ShareLinks</name>
    <message>
        <source>Anyone with the link can download &apos;%1&apos; until it expires.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share link copied to the clipboard, valid for {time}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The demo storage runs inside s3desk: this link works only on this computer, and only until s3desk quits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Valid for:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <source>&amp;List buckets again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Open</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Remove from favourites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Use this account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Accounts, buckets and favourites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Added {place} to favourites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not list buckets: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Favourites could not be read: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Listing buckets…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No storage is set up.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not added to favourites: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not removed from favourites: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not renamed: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Places</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Places: accounts, buckets and favourites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removed s3://{place} from favourites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Switch to this account to see its buckets.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This account uploads through your organisation&apos;s upload service: it has no buckets to show.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{place} is a favourite already</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>StorageSwitcher</name>
    <message>
        <source>Starting the local demo storage…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>That account no longer exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local demo storage did not start: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uploading with {account}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uploads or downloads are still running. Wait for them, or pause or cancel them, before switching accounts.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ThroughputGraph</name>
    <message>
        <source>Download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Transfer speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upload: {upload} now, peak {upload_peak}. Download: {download} now, peak {download_peak}. Over the last {minutes} minutes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>last {minutes} minutes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{direction} {rate} (peak {peak})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TransferModel</name>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Destination</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Queued</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Speed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stored as {type}; double-click or press F2 to change it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uploading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{state} — {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{state} — {time} left</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>VersionsPanel</name>
    <message>
        <source>A delete marker has no content to restore; choose a version.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the version to restore in the list of versions.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Make the chosen version the current one again; the others stay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Modified</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore failed: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restore this version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restored an earlier version of {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is the current version already; choose an earlier one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Versioning is off for this bucket: only the current version is kept, so there is no earlier one to restore.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Versions not available: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>current</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delete marker</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WelcomePanel</name>
    <message>
        <source>&lt;b&gt;Welcome to s3desk&lt;/b&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add an account (Accounts…), or choose Local demo storage under Upload with to try s3desk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add an account…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Files you add go to the bucket and folder shown below, in the storage of the account chosen there.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open Accounts to add the storage you upload to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Put this away (Esc)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To start, add the account you upload with, or try s3desk on the local demo storage: it keeps files in memory on this computer until s3desk quits.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>To start, add the account you upload with.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Try the local demo storage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upload to a storage on this computer that is cleared when s3desk quits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WindowActions</name>
    <message>
        <source>&amp;About s3desk</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add files…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Documentation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Report a problem…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A&amp;ccounts…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add f&amp;older…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add to &amp;favourites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add, edit and test storage accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;lear finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel the selected transfers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose a folder to upload, with its contents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose files to upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Choose the Content-Type the selected waiting uploads are stored with</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy S3 &amp;URL</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy diagnostic &amp;info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Copy the diagnostic info to paste into a problem report</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the folder shown in Browse in the sidebar&apos;s favourites</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Main</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause the selected transfers, or all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Re&amp;try</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove finished transfers from the list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume the selected transfers, or all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retry the selected transfers, or all failed ones</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set content t&amp;ype…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show &amp;sidebar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show or hide the accounts, buckets and favourites beside the tabs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Versions, settings and recent errors for a support request (no secrets)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <source>&apos;{bucket}&apos; is not a valid bucket name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&apos;{bucket}/{key}&apos; was not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A local file with this name exists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access denied: these credentials may not read &apos;{key}&apos; in &apos;{bucket}&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access denied: these credentials may not write to &apos;{bucket}&apos;. Ask your administrator for upload permission</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All access to bucket &apos;{bucket}&apos; has been disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Already in the bucket (skipped)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Already in the bucket: sent by an earlier run that was interrupted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Amazon S3 — AWS profile (incl. SSO)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Amazon S3 — access key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit log bucket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Audit log folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bandwidth limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Being uploaded by &apos;s3desk upload&apos; (process {pid}); not sent from here, try again once it has finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Being uploaded by another s3desk (process {pid}); not sent from here, try again once it has finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Being uploaded by the s3desk window (process {pid}); not sent from here, try again once it has finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Broken link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bucket &apos;{bucket}&apos; does not exist</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bucket &apos;{bucket}&apos; does not exist. Check the bucket name in the destination</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cache-Control</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot reach the storage service ({endpoint}). Check the network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the file: permission denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read the file: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read: permission denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot read: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write the local file: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write to &apos;{folder}&apos;: permission denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Content types by extension</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Content-Disposition</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exists — an object with this name is already in the bucket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fetching again — the file did not match its checksum</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>File no longer exists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder cannot be read: permission denied</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Folder cannot be read: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>KMS key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Link to a folder (not followed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Local demo storage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Metadata of every upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No credentials found. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or choose a profile with AWS_PROFILE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not a regular file (device, pipe or socket)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notify me when a batch finishes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Organisation upload service (no AWS keys)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Parallel requests</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Part size for large files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refuse uploads that are not encrypted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Retrying ({attempt}/{retries}) — {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S3-compatible service</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>S3-compatible storage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Secure connection failed (TLS certificate problem)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server-side encryption</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Set by your organisation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Storage class</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tags of every upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The AWS profile &apos;{profile}&apos; is not in the AWS config</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The access key is not known to the storage service. Check the access key ID</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The bytes received do not match the object ({detail}); retry later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The credentials could not be refreshed; sign in again, then choose Try again ({provider})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The credentials have expired. Sign in again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The credentials have expired. Sign in again or refresh the credentials</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The disk is full: no room for this file in &apos;{folder}&apos;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The encryption key (KMS) is disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The encryption key (KMS) was not found</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file changed while it was being uploaded, so it was not stored. Retry once nothing is writing to it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file is larger than the storage service accepts in one upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The file was moved or deleted before it could be uploaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The local path is too long for this file system</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The multipart upload no longer exists on the server (it was aborted or expired)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The object changed in the bucket while it was being downloaded; retry to fetch the new version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The object is archived (e.g. Glacier); restore it before downloading</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The object is no longer in the bucket (deleted after the folder was listed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The secret access key is wrong. Check the secret key</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The storage quota is exhausted; free space or ask for a larger quota</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The storage service asked us to slow down; it will be retried</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The storage service did not answer in time. Check the network; retry later</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The storage service did not store the bytes that were sent ({detail})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The storage service had an internal error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The storage service is temporarily unavailable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The storage service refused the request: {message} ({code})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The upload process stopped unexpectedly; restart s3desk to go on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This computer&apos;s clock is too far off for the storage service. Correct the date and time, then retry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This is a folder, not a file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This storage service rejects S3&apos;s newer checksum headers; s3desk switched to Content-MD5 checks for it (set this in the account to skip the first refusal)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unexpected error: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Upload rules</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Welcome on first start answered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>When a name is taken</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your AWS single sign-on (SSO) session has expired. Sign in again (aws sso login --profile PROFILE), then choose Try again</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>can be at most {limit} (a limit set by your organisation)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cannot connect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>cleared when the app quits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connection reset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>request timed out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>server asked to slow down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>server error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>server error {code}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>service unavailable</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>timed out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unlimited</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{error}; what was sent is kept and the next upload of this file resumes it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: {setting} is set by your organisation; the value there ({value}) is ignored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: {setting} {limit}; using the limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{file}: {setting} {problem}; using the default instead</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{label} ({where})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{problem}; uploads will not resume after a crash</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{setting} is set by your organisation and cannot be changed here</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{setting} {limit}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>units</name>
    <message>
        <source>{count} B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{hours}h {minutes}m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{minutes}m {seconds}s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{seconds}s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{size}/s</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
