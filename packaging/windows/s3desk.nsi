; s3desk's Windows installer (NSIS 3): the PyInstaller folder into Program Files, for all users.
;
;   makensis /DVERSION=0.1.0 /DVERSION4=0.1.0.0 /DSOURCE_DIR=..\..\dist\s3desk ^
;            /DICON=..\..\build\icons\s3desk.ico /DOUTFILE=..\..\dist\s3desk-0.1.0-setup.exe ^
;            [/DSIGN_COMMAND="sign.cmd"] s3desk.nsi
;
; Installing, for IT:
;   s3desk-0.1.0-setup.exe /S                          silent, into C:\Program Files\s3desk
;   s3desk-0.1.0-setup.exe /S /CONFIG=\\srv\it\s3desk.toml
;                  also copies that file to %ProgramData%\s3desk\managed.toml, the managed
;                  configuration every user's s3desk reads (docs/managed-config.md)
;   s3desk-0.1.0-setup.exe /S /D=D:\Apps\s3desk        another folder (/D must come last)
;   "C:\Program Files\s3desk\uninstall.exe" /S         silent removal (the managed
;                  configuration and each user's settings and data stay)
; Exit code 0 on success; 2 when /CONFIG names a file that cannot be read.
; Then, to check: "C:\Program Files\s3desk\s3desk-cli.exe" --self-test

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef VERSION4
  !define VERSION4 "0.0.0.0"
!endif
!ifndef SOURCE_DIR
  !define SOURCE_DIR "..\..\dist\s3desk"
!endif
!ifndef ICON
  !define ICON "..\..\build\icons\s3desk.ico"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\..\dist\s3desk-${VERSION}-setup.exe"
!endif
; Signs the installer and the uninstaller as they are written (release builds: the
; executables in SOURCE_DIR are signed before this runs). %1 is the file.
!ifdef SIGN_COMMAND
  !finalize '${SIGN_COMMAND} "%1"' = 0
  !uninstfinalize '${SIGN_COMMAND} "%1"' = 0
!endif

!define APP "s3desk"
!define PUBLISHER "s3desk"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\s3desk"
!define MANAGED_DIR "$APPDATA\s3desk" ; $APPDATA is %ProgramData% for all users

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP}"
InstallDirRegKey HKLM "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VERSION4}"
VIFileVersion "${VERSION4}"
VIAddVersionKey /LANG=1033 "ProductName" "${APP}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APP} ${VERSION} installer"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "MIT License"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\s3desk.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start s3desk"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Var ManagedConfig

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "s3desk needs 64-bit Windows." /SD IDOK
    SetErrorLevel 1
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/CONFIG=" $ManagedConfig
  ${If} ${Errors}
    StrCpy $ManagedConfig ""
  ${ElseIfNot} ${FileExists} "$ManagedConfig"
    MessageBox MB_ICONSTOP "The managed configuration $ManagedConfig cannot be read." /SD IDOK
    SetErrorLevel 2
    Abort
  ${EndIf}
FunctionEnd

Section "s3desk" SecMain
  SectionIn RO
  SetOutPath "$INSTDIR"
  ; A new version's libraries replace the old ones whole: no stale file stays behind.
  RMDir /r "$INSTDIR\_internal"
  File /r "${SOURCE_DIR}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\s3desk.exe" "" "$INSTDIR\s3desk.exe" 0

  ${If} $ManagedConfig != ""
    CreateDirectory "${MANAGED_DIR}"
    ; Only administrators and the system may change what IT set; users read it.
    nsExec::ExecToLog 'icacls "${MANAGED_DIR}" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX'
    Pop $0
    ClearErrors
    CopyFiles /SILENT "$ManagedConfig" "${MANAGED_DIR}\managed.toml"
    ${If} ${Errors}
      DetailPrint "Could not copy $ManagedConfig to ${MANAGED_DIR}\managed.toml"
      SetErrorLevel 2
    ${Else}
      DetailPrint "Managed configuration: ${MANAGED_DIR}\managed.toml"
    ${EndIf}
  ${EndIf}

  ; Add/Remove Programs ("Installed apps").
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\s3desk.exe,0"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINSTALL_KEY}" "EstimatedSize" "$0"
SectionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "Uninstall"
  Delete "$SMPROGRAMS\${APP}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\s3desk.exe"
  Delete "$INSTDIR\s3desk-cli.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR" ; only if nothing else was put there
  DeleteRegKey HKLM "${UNINSTALL_KEY}"
  ; %ProgramData%\s3desk\managed.toml stays: IT removes it with its policy.
SectionEnd
