<#
.SYNOPSIS
    Exports ConfigMgr's SMS_DistributionStatus to a JSON file that smsdistd serves over SNMP.

.DESCRIPTION
    Reads every instance of the WMI class SMS_DistributionStatus from the SMS
    Provider (namespace root\sms\site_<SiteCode>) and writes the seven
    properties smsdistd uses - ObjectID, MessageCategory, Assets,
    LastUpdateDate, ObjectTypeID, PackageID, Type - as a JSON array:

      - always an array, also for a single row (ConvertTo-Json in Windows
        PowerShell 5.1 turns a one-element pipeline into a bare object);
      - numbers as JSON numbers;
      - LastUpdateDate in ISO 8601 UTC with 'Z' ("2026-11-20T08:15:00Z"),
        formatted with the invariant culture, or null when there is none;
      - UTF-8 without a byte order mark (Windows PowerShell 5.1's
        Out-File/Set-Content -Encoding UTF8 would write one);
      - written to a temporary file in the destination's folder, then put in
        place with one rename (File.Replace), so a reader - smsdistd on a
        share, an rsync - never sees half a file.

    Runs unchanged in Windows PowerShell 5.1 and PowerShell 7. Uses
    Get-CimInstance, or Get-WmiObject where Get-CimInstance is missing.

    A query that returns no row is treated as a failure and leaves the
    destination alone (a transient WMI problem must not empty smsdistd's
    table); pass -AllowEmpty for a site that really has no content yet.

    Exit code 0 when the file was written; 1 when the query failed or gave
    no row; 2 when the file could not be written. The reason goes to the
    error stream, which Task Scheduler and a transcript keep.

.PARAMETER SiteCode
    The three-character ConfigMgr site code, for example PS1. Selects the
    namespace root\sms\site_<SiteCode> unless -Namespace is given.

.PARAMETER Destination
    The JSON file to write, for example \\smsdist01\smsdistd\distribution-status.json
    (a share on the smsdistd host) or D:\smsdistd\distribution-status.json.
    Its folder must exist. Default: %ProgramData%\smsdistd\distribution-status.json.

.PARAMETER ComputerName
    The SMS Provider to query. Default: this computer (queried locally over
    DCOM, no WinRM needed). A remote provider is reached through CIM over
    WinRM (or DCOM with Get-WmiObject).

.PARAMETER Namespace
    The WMI namespace; default root\sms\site_<SiteCode>.

.PARAMETER AllowEmpty
    Write an empty array when the site has no SMS_DistributionStatus
    instance, instead of failing.

.EXAMPLE
    .\Export-SmsDistributionStatus.ps1 -SiteCode PS1 -Destination \\smsdist01\smsdistd\distribution-status.json

    Queries the local SMS Provider of site PS1 and writes the file on the
    smsdistd host's share.

.EXAMPLE
    powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File C:\smsdistd\Export-SmsDistributionStatus.ps1 -SiteCode PS1 -ComputerName cm-provider01.corp.example -Destination D:\smsdistd\distribution-status.json

    What the scheduled task runs (see Register-SmsDistExportTask.ps1): a
    remote SMS Provider, a local file that rsync or scp then carries over.

.NOTES
    smsdistd configuration for this file: source file:/var/lib/smsdistd/distribution-status.json
    The account needs read access to SMS_DistributionStatus (a ConfigMgr
    administrative user, e.g. the Read-only Analyst role, and membership of
    the provider's SMS Admins group for remote WMI) and write access to the
    destination folder.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [ValidatePattern('^[A-Za-z0-9]{3}$')]
    [string] $SiteCode,

    [ValidateNotNullOrEmpty()]
    [string] $Destination = (Join-Path $env:ProgramData 'smsdistd\distribution-status.json'),

    [string] $ComputerName = $env:COMPUTERNAME,

    [string] $Namespace,

    [switch] $AllowEmpty
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

$Properties = 'ObjectID', 'MessageCategory', 'Assets', 'LastUpdateDate', 'ObjectTypeID', 'PackageID', 'Type'
$Invariant = [System.Globalization.CultureInfo]::InvariantCulture

function Fail([int] $Code, [string] $Message) {
    [Console]::Error.WriteLine("Export-SmsDistributionStatus: $Message")
    exit $Code
}

# LastUpdateDate -> "2026-11-20T08:15:00Z". Get-CimInstance gives a DateTime
# in local time; Get-WmiObject the DMTF string (20261120081500.000000+000).
# The invariant culture matters: ':' in a format string is the culture's time
# separator, which is not ':' in every culture.
function ConvertTo-IsoUtc($Value) {
    if ($null -eq $Value -or ($Value -is [string] -and $Value -eq '')) {
        return $null
    }
    if ($Value -is [string]) {
        $Value = [System.Management.ManagementDateTimeConverter]::ToDateTime($Value)
    }
    return ([datetime] $Value).ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", $Invariant)
}

if (-not $Namespace) {
    $Namespace = "root\sms\site_$SiteCode"
}
$remote = $ComputerName -and ($ComputerName -notin @('.', 'localhost', $env:COMPUTERNAME))

# --- read ------------------------------------------------------------------
try {
    if (Get-Command -Name Get-CimInstance -ErrorAction SilentlyContinue) {
        $query = @{ Namespace = $Namespace; ClassName = 'SMS_DistributionStatus'; Property = $Properties }
        if ($remote) { $query['ComputerName'] = $ComputerName }
        $instances = @(Get-CimInstance @query)
    } else {
        $query = @{ Namespace = $Namespace; Class = 'SMS_DistributionStatus'; Property = $Properties }
        if ($remote) { $query['ComputerName'] = $ComputerName }
        $instances = @(Get-WmiObject @query)
    }
} catch {
    Fail 1 "cannot read SMS_DistributionStatus in $Namespace on ${ComputerName}: $($_.Exception.Message)"
}

$rows = New-Object 'System.Collections.Generic.List[object]'
try {
    foreach ($i in $instances) {
        # The order here is the order of the keys in the file.
        $rows.Add([pscustomobject]@{
            ObjectID        = $i.ObjectID
            MessageCategory = $i.MessageCategory
            Assets          = $i.Assets
            LastUpdateDate  = ConvertTo-IsoUtc $i.LastUpdateDate
            ObjectTypeID    = $i.ObjectTypeID
            PackageID       = $i.PackageID
            Type            = $i.Type
        })
    }
} catch {
    Fail 1 "cannot convert SMS_DistributionStatus row $($rows.Count + 1): $($_.Exception.Message)"
}

if ($rows.Count -eq 0) {
    if (-not $AllowEmpty) {
        Fail 1 "SMS_DistributionStatus in $Namespace on $ComputerName returned no instance; $Destination left as it was (-AllowEmpty writes an empty array)"
    }
    $json = '[]'
} else {
    # -InputObject with an array: a JSON array even for one row, in 5.1 too.
    $json = ConvertTo-Json -InputObject $rows.ToArray() -Depth 2
}

# --- write: temporary file in the same folder, then one rename -------------
$tmp = $null
try {
    # Resolved against PowerShell's location, not the process's directory.
    $target = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Destination)
    $folder = [System.IO.Path]::GetDirectoryName($target)
    if (-not [System.IO.Directory]::Exists($folder)) {
        throw "the folder $folder does not exist"
    }
    $tmp = Join-Path $folder ('.' + [System.IO.Path]::GetFileName($target) + '.' + [guid]::NewGuid().ToString('N') + '.tmp')
    [System.IO.File]::WriteAllText($tmp, $json, (New-Object System.Text.UTF8Encoding($false)))
    if ([System.IO.File]::Exists($target)) {
        try {
            # One ReplaceFile call: the old file stays until the new one is in place.
            # [NullString]::Value: PowerShell would pass $null to a string parameter as ''.
            [System.IO.File]::Replace($tmp, $target, [NullString]::Value)
        } catch [System.IO.IOException], [System.PlatformNotSupportedException] {
            # A file system without ReplaceFile: a rename over the old file.
            Move-Item -LiteralPath $tmp -Destination $target -Force
        }
    } else {
        [System.IO.File]::Move($tmp, $target)
    }
    $tmp = $null
} catch {
    Fail 2 "cannot write ${Destination}: $($_.Exception.Message)"
} finally {
    if ($tmp -and [System.IO.File]::Exists($tmp)) {
        Remove-Item -LiteralPath $tmp -Force -ErrorAction SilentlyContinue
    }
}

Write-Verbose "wrote $($rows.Count) rows to $target"
exit 0
