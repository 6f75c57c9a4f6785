; Inno Setup script for Front Desk on Windows: a per-user install (no administrator rights) of
; the PyInstaller bundle dist\frontdesk\, a Start-menu shortcut, and an uninstaller listed in
; "Installed apps". Build the bundle first (installer\README.md), then, from the repository
; root:  iscc installer\windows\frontdesk.iss   -> dist\FrontDesk-<version>-setup.exe
; The version can be given on the command line:  iscc /DAppVersion=0.1.0 installer\windows\frontdesk.iss

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
; A fixed id: upgrades replace the installed copy, and the uninstaller finds it.
AppId={{6F1D2C4A-8B7E-4C0F-9A51-2E3D7B9C1F08}
AppName=Front Desk
AppVersion={#AppVersion}
AppPublisher=Front Desk
VersionInfoVersion={#AppVersion}
; Per user: installs under %LOCALAPPDATA%\Programs, asks for no administrator rights.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\Front Desk
DefaultGroupName=Front Desk
DisableProgramGroupPage=yes
UninstallDisplayName=Front Desk
UninstallDisplayIcon={app}\Front Desk.exe
SetupIconFile=..\frontdesk.ico
OutputDir=..\..\dist
OutputBaseFilename=FrontDesk-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole bundle: "Front Desk.exe" (the window, no console), frontdesk.exe (the command line)
; and _internal\ (Python, Qt, SQLCipher, the embedded PostgreSQL, the app's data).
Source: "..\..\dist\frontdesk\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Front Desk"; Filename: "{app}\Front Desk.exe"; WorkingDir: "{app}"
Name: "{autoprograms}\Front Desk demo"; Filename: "{app}\Front Desk.exe"; Parameters: "demo"; WorkingDir: "{app}"
Name: "{autodesktop}\Front Desk"; Filename: "{app}\Front Desk.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\Front Desk.exe"; Description: "{cm:LaunchProgram,Front Desk}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Files the app may leave in its own folder (byte-code caches); the profiles in
; %LOCALAPPDATA%\frontdesk hold the clinic's data and are kept.
Type: filesandordirs; Name: "{app}\_internal\__pycache__"
