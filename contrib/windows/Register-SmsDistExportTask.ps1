<#
.SYNOPSIS
    Registers a Scheduled Task that runs Export-SmsDistributionStatus.ps1 every 5 minutes as a service account.

.DESCRIPTION
    Creates (or replaces) a task in the Task Scheduler root folder that runs

        powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass
            -File <ScriptPath> -SiteCode <SiteCode> -Destination <Destination>
            [-ComputerName <ComputerName>] [-Combined]

    every -IntervalMinutes (default 5) from now on, whether or not anyone is
    logged on, as -User: a group Managed Service Account (gMSA, name ending in
    '$', no password) or a domain account whose password is given with
    -Credential. A run still going when the next is due is not started twice,
    and a run is stopped after 4 minutes.

    Run it elevated on the site server (or any computer that can reach the
    SMS Provider and the destination). Needs the ScheduledTasks module
    (Windows Server 2012 and later).

    The account needs: read access to SMS_DistributionStatus (with -Combined
    also to SMS_DPStatusInfo and SMS_PackageStatusDistPointsSummarizer) (a
    ConfigMgr administrative user with, for example, the Read-only Analyst
    role; for a remote provider also membership of its SMS Admins group),
    write access to the destination folder, and the 'Log on as a batch job'
    right.

.PARAMETER SiteCode
    The ConfigMgr site code passed to the exporter.

.PARAMETER Destination
    The JSON file the exporter writes (for example a share on the smsdistd host).

.PARAMETER User
    The account the task runs as: DOMAIN\gmsa-name$ for a gMSA, or DOMAIN\user with -Credential.

.PARAMETER Credential
    The password of -User when it is not a gMSA.

.PARAMETER ComputerName
    The SMS Provider, when it is not the computer the task runs on.

.PARAMETER Combined
    Passes -Combined to the exporter: the file holds SMS_DistributionStatus,
    SMS_DPStatusInfo and SMS_PackageStatusDistPointsSummarizer in one JSON
    object, for smsdistd's per-distribution-point tables (see
    Get-Help .\Export-SmsDistributionStatus.ps1 -Parameter Combined).

.PARAMETER ScriptPath
    Where Export-SmsDistributionStatus.ps1 is; default: next to this script.

.PARAMETER TaskName
    Default: 'smsdistd - export SMS_DistributionStatus'.

.PARAMETER IntervalMinutes
    Default 5.

.EXAMPLE
    .\Register-SmsDistExportTask.ps1 -SiteCode PS1 -User 'CORP\gmsa-smsdist$' -Destination '\\smsdist01\smsdistd\distribution-status.json'

    A gMSA writing straight into the Samba share of the smsdistd host.

.EXAMPLE
    .\Register-SmsDistExportTask.ps1 -SiteCode PS1 -User 'CORP\svc-smsdist' -Credential (Get-Credential 'CORP\svc-smsdist') -Destination 'D:\smsdistd\distribution-status.json'

    A domain account writing a local file, which another job copies over.

.EXAMPLE
    .\Register-SmsDistExportTask.ps1 -SiteCode PS1 -User 'CORP\gmsa-smsdist$' -Combined -Destination '\\smsdist01\smsdistd\export.json'

    The combined export of the three classes, for smsdistd's per-DP tables too.
#>
[CmdletBinding(SupportsShouldProcess = $true)]
param(
    [Parameter(Mandatory = $true)]
    [ValidatePattern('^[A-Za-z0-9]{3}$')]
    [string] $SiteCode,

    [Parameter(Mandatory = $true)]
    [string] $Destination,

    [Parameter(Mandatory = $true)]
    [string] $User,

    [System.Management.Automation.PSCredential] $Credential,

    [string] $ComputerName,

    [switch] $Combined,

    [string] $ScriptPath = (Join-Path $PSScriptRoot 'Export-SmsDistributionStatus.ps1'),

    [string] $TaskName = 'smsdistd - export SMS_DistributionStatus',

    [ValidateRange(1, 1440)]
    [int] $IntervalMinutes = 5
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

if (-not (Test-Path -LiteralPath $ScriptPath -PathType Leaf)) {
    throw "Export-SmsDistributionStatus.ps1 not found at $ScriptPath (use -ScriptPath)"
}
$isGmsa = $User.EndsWith('$')
if (-not $isGmsa -and -not $Credential) {
    throw "-User $User is not a gMSA (DOMAIN\name$): give its password with -Credential"
}

$arguments = "-NoProfile -NonInteractive -ExecutionPolicy Bypass -File `"$ScriptPath`" -SiteCode $SiteCode -Destination `"$Destination`""
if ($ComputerName) {
    $arguments += " -ComputerName `"$ComputerName`""
}
if ($Combined) {
    # A bare switch: -File passes the text -Combined, which binds as $true.
    $arguments += ' -Combined'
}
$action = New-ScheduledTaskAction -Execute 'powershell.exe' -Argument $arguments
# -Once with a repetition interval and no duration repeats for ever
# (Windows Server 2016 and later; 2012 R2 wants -RepetitionDuration too).
$trigger = New-ScheduledTaskTrigger -Once -At (Get-Date).AddMinutes(1) `
    -RepetitionInterval (New-TimeSpan -Minutes $IntervalMinutes)
$settings = New-ScheduledTaskSettingsSet -MultipleInstances IgnoreNew -StartWhenAvailable `
    -ExecutionTimeLimit (New-TimeSpan -Minutes 4)

if ($PSCmdlet.ShouldProcess($TaskName, "register, running as $User every $IntervalMinutes min")) {
    if ($isGmsa) {
        # A gMSA logs on with its managed password: LogonType Password, no password given.
        $principal = New-ScheduledTaskPrincipal -UserId $User -LogonType Password -RunLevel Limited
        $task = Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger `
            -Settings $settings -Principal $principal -Force
    } else {
        $task = Register-ScheduledTask -TaskName $TaskName -Action $action -Trigger $trigger `
            -Settings $settings -User $User -Password $Credential.GetNetworkCredential().Password `
            -RunLevel Limited -Force
    }
    Write-Output "registered '$($task.TaskName)': every $IntervalMinutes min as $User -> $Destination$(if ($Combined) { ' (combined export)' })"
    Write-Output "run it now with: Start-ScheduledTask -TaskName '$TaskName'; last result: (Get-ScheduledTaskInfo -TaskName '$TaskName').LastTaskResult"
}
