<#
.SYNOPSIS
    Exports ConfigMgr's SMS_DistributionStatus (with -Combined also SMS_DPStatusInfo and SMS_PackageStatusDistPointsSummarizer) to a JSON file that smsdistd serves over SNMP.

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

    With -Combined the file holds three classes instead of one, for
    smsdistd's per-distribution-point tables: one JSON object with one array
    per class, keyed by the class name,

      { "SMS_DistributionStatus": [ ... ],
        "SMS_DPStatusInfo": [ ... ],
        "SMS_PackageStatusDistPointsSummarizer": [ ... ] }

    SMS_DistributionStatus with the same seven properties as above;
    SMS_DPStatusInfo with Name, NALPath, MessageState, NumberErrors,
    NumberInProgress, NumberInstalled, NumberUnknown, LastStatusTime, IsPullDP,
    IsPXE, Version; SMS_PackageStatusDistPointsSummarizer with PackageID,
    ServerNALPath, SiteCode, State, PackageType, SourceVersion, LastCopied,
    SummaryDate, SecureObjectID. Every class is an array, also with one row or
    none; numbers are JSON numbers, IsPullDP and IsPXE JSON true/false, the
    dates (LastStatusTime, LastCopied, SummaryDate) ISO 8601 UTC with 'Z' like
    LastUpdateDate. The combined file is written compact (-Compress, one line):
    it can hold a row per content and distribution point, hundreds of
    thousands of rows. Same encoding, same temporary file and rename. Without
    -Combined the script writes exactly what it always wrote.

    Runs unchanged in Windows PowerShell 5.1 and PowerShell 7. Uses
    Get-CimInstance, or Get-WmiObject where Get-CimInstance is missing.

    A query that returns no row is treated as a failure and leaves the
    destination alone (a transient WMI problem must not empty smsdistd's
    table); pass -AllowEmpty for a site that really has no content yet. With
    -Combined this holds for each of the three classes.

    Exit code 0 when the file was written; 1 when the query failed or gave
    no row; 2 when the file could not be written. The reason goes to the
    error stream, which Task Scheduler and a transcript keep.

.PARAMETER SiteCode
    The three-character ConfigMgr site code, for example PS1. Selects the
    namespace root\sms\site_<SiteCode> unless -Namespace is given.

.PARAMETER Destination
    The JSON file to write, for example \\smsdist01\smsdistd\distribution-status.json
    (a share on the smsdistd host) or D:\smsdistd\distribution-status.json.
    Its folder must exist. Default: %ProgramData%\smsdistd\distribution-status.json,
    with -Combined %ProgramData%\smsdistd\export.json.

.PARAMETER ComputerName
    The SMS Provider to query. Default: this computer (queried locally over
    DCOM, no WinRM needed). A remote provider is reached through CIM over
    WinRM (or DCOM with Get-WmiObject).

.PARAMETER Namespace
    The WMI namespace; default root\sms\site_<SiteCode>.

.PARAMETER AllowEmpty
    Write an empty array when the site has no SMS_DistributionStatus
    instance, instead of failing. With -Combined: write an empty array for
    each of the three classes that has no instance.

.PARAMETER Combined
    Write the combined export: SMS_DistributionStatus, SMS_DPStatusInfo and
    SMS_PackageStatusDistPointsSummarizer in one JSON object (see the
    description). Needs an smsdistd with the per-distribution-point tables;
    its configuration stays one line, source file:/path/export.json.

.EXAMPLE
    .\Export-SmsDistributionStatus.ps1 -SiteCode PS1 -Destination \\smsdist01\smsdistd\distribution-status.json

    Queries the local SMS Provider of site PS1 and writes the file on the
    smsdistd host's share.

.EXAMPLE
    powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -File C:\smsdistd\Export-SmsDistributionStatus.ps1 -SiteCode PS1 -ComputerName cm-provider01.corp.example -Destination D:\smsdistd\distribution-status.json

    What the scheduled task runs (see Register-SmsDistExportTask.ps1): a
    remote SMS Provider, a local file that rsync or scp then carries over.

.EXAMPLE
    .\Export-SmsDistributionStatus.ps1 -SiteCode PS1 -Combined -Destination \\smsdist01\smsdistd\export.json

    The combined export of the three classes, for smsdistd's
    per-distribution-point tables as well.

.NOTES
    smsdistd configuration for this file: source file:/var/lib/smsdistd/distribution-status.json
    (with -Combined, source file:/var/lib/smsdistd/export.json loads all three
    tables from the one file).
    The account needs read access to SMS_DistributionStatus (with -Combined
    also to SMS_DPStatusInfo and SMS_PackageStatusDistPointsSummarizer) (a
    ConfigMgr administrative user, e.g. the Read-only Analyst role, and
    membership of the provider's SMS Admins group for remote WMI) and write
    access to the destination folder.
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

    [switch] $AllowEmpty,

    [switch] $Combined
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

$Properties = 'ObjectID', 'MessageCategory', 'Assets', 'LastUpdateDate', 'ObjectTypeID', 'PackageID', 'Type'
# -Combined: the properties of doc/per-dp-tables.md, the WMI names, in the
# order the keys have in the file.
$DPProperties = 'Name', 'NALPath', 'MessageState', 'NumberErrors', 'NumberInProgress', 'NumberInstalled',
    'NumberUnknown', 'LastStatusTime', 'IsPullDP', 'IsPXE', 'Version'
$ContentDPProperties = 'PackageID', 'ServerNALPath', 'SiteCode', 'State', 'PackageType', 'SourceVersion',
    'LastCopied', 'SummaryDate', 'SecureObjectID'
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

# IsPullDP, IsPXE -> JSON true/false. CIM and WMI give a [bool] already.
# Anything else (a "True"/"False" string, a number) goes through
# Convert.ToBoolean, not PowerShell's [bool] cast, which makes every
# non-empty string - "False" too - $true. An unset property stays null.
function ConvertTo-JsonBoolean($Value) {
    if ($null -eq $Value) {
        return $null
    }
    if ($Value -is [bool]) {
        return $Value
    }
    return [System.Convert]::ToBoolean($Value, $Invariant)
}

# The instances of one class, only the properties asked for, written to the
# pipeline one by one as they arrive (a caller that converts them in a
# ForEach-Object never holds a whole class of CIM objects).
function Get-SmsInstance([string] $ClassName, [string[]] $Property) {
    if (Get-Command -Name Get-CimInstance -ErrorAction SilentlyContinue) {
        $query = @{ Namespace = $Namespace; ClassName = $ClassName; Property = $Property }
        if ($remote) { $query['ComputerName'] = $ComputerName }
        Get-CimInstance @query
    } else {
        $query = @{ Namespace = $Namespace; Class = $ClassName; Property = $Property }
        if ($remote) { $query['ComputerName'] = $ComputerName }
        Get-WmiObject @query
    }
}

if (-not $Namespace) {
    $Namespace = "root\sms\site_$SiteCode"
}
$remote = $ComputerName -and ($ComputerName -notin @('.', 'localhost', $env:COMPUTERNAME))
if ($Combined -and -not $PSBoundParameters.ContainsKey('Destination')) {
    # Not the single-class file's name: an smsdistd that reads that file
    # cannot read the combined one.
    $Destination = Join-Path $env:ProgramData 'smsdistd\export.json'
}

# --- read ------------------------------------------------------------------
try {
    $instances = @(Get-SmsInstance -ClassName 'SMS_DistributionStatus' -Property $Properties)
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

$written = "$($rows.Count) rows"
if ($Combined) {
    # --- -Combined: the two per-DP classes, then one object for all three ---
    # Their instances are converted as they arrive: the summarizer has a row
    # per content and distribution point, and its CIM objects are not kept.
    # An error from the query or from a row fails the export alike.
    $dpRows = New-Object 'System.Collections.Generic.List[object]'
    try {
        Get-SmsInstance -ClassName 'SMS_DPStatusInfo' -Property $DPProperties | ForEach-Object {
            # The order here is the order of the keys in the file.
            $dpRows.Add([pscustomobject]@{
                Name             = $_.Name
                NALPath          = $_.NALPath
                MessageState     = $_.MessageState
                NumberErrors     = $_.NumberErrors
                NumberInProgress = $_.NumberInProgress
                NumberInstalled  = $_.NumberInstalled
                NumberUnknown    = $_.NumberUnknown
                LastStatusTime   = ConvertTo-IsoUtc $_.LastStatusTime
                IsPullDP         = ConvertTo-JsonBoolean $_.IsPullDP
                IsPXE            = ConvertTo-JsonBoolean $_.IsPXE
                Version          = $_.Version
            })
        }
    } catch {
        Fail 1 "cannot read SMS_DPStatusInfo in $Namespace on ${ComputerName} (after $($dpRows.Count) rows): $($_.Exception.Message)"
    }

    $contentRows = New-Object 'System.Collections.Generic.List[object]'
    try {
        Get-SmsInstance -ClassName 'SMS_PackageStatusDistPointsSummarizer' -Property $ContentDPProperties | ForEach-Object {
            # The order here is the order of the keys in the file.
            $contentRows.Add([pscustomobject]@{
                PackageID      = $_.PackageID
                ServerNALPath  = $_.ServerNALPath
                SiteCode       = $_.SiteCode
                State          = $_.State
                PackageType    = $_.PackageType
                SourceVersion  = $_.SourceVersion
                LastCopied     = ConvertTo-IsoUtc $_.LastCopied
                SummaryDate    = ConvertTo-IsoUtc $_.SummaryDate
                SecureObjectID = $_.SecureObjectID
            })
        }
    } catch {
        Fail 1 "cannot read SMS_PackageStatusDistPointsSummarizer in $Namespace on ${ComputerName} (after $($contentRows.Count) rows): $($_.Exception.Message)"
    }

    # A class without a row fails as in the single-class export: emptied
    # per-DP tables would tell the NMS that every DP's errors cleared.
    $empty = @()
    if ($rows.Count -eq 0) { $empty += 'SMS_DistributionStatus' }
    if ($dpRows.Count -eq 0) { $empty += 'SMS_DPStatusInfo' }
    if ($contentRows.Count -eq 0) { $empty += 'SMS_PackageStatusDistPointsSummarizer' }
    if ($empty.Count -gt 0 -and -not $AllowEmpty) {
        Fail 1 "$($empty -join ', ') in $Namespace on $ComputerName returned no instance; $Destination left as it was (-AllowEmpty writes an empty array)"
    }

    # Every class must come out as a JSON array - [] with no row, [ {...} ]
    # with one - in Windows PowerShell 5.1 as in PowerShell 7:
    #  - each value is a List's ToArray(): an [object[]], of length 0 for no
    #    row, never $null (which ConvertTo-Json writes as null) and never a
    #    lone row. It goes into the dictionary by the indexer, as a plain .NET
    #    array: no pipeline unrolls it, and it is not wrapped in a PSObject
    #    (5.1 writes a wrapped array that carries extended properties as
    #    {"value": [...], ...}). @() is not used here: @($null) is an array
    #    holding one null, not an empty one.
    #  - an array that is a value inside the object is written as an array at
    #    any length; 5.1 turns a one-element array into a bare object only as
    #    ConvertTo-Json's pipeline input, and the object goes in by
    #    -InputObject anyway.
    #  - [ordered]: the keys come out in this order (5.1 keeps it too).
    #  - -Depth: the object is depth 0, the arrays 1, the rows 2, the rows'
    #    values 3; a non-scalar deeper than -Depth would become its ToString()
    #    text. Every value is a string, number, boolean or null: 4 leaves room.
    #  - -Compress: one line. The summarizer can have hundreds of thousands of
    #    rows, and 5.1's indented layout pads every line of a row to the width
    #    of "SMS_PackageStatusDistPointsSummarizer":  - some 50 spaces a line
    #    (smsdistd's maxSourceBytes is 256 MiB by default).
    $document = [ordered]@{}
    $document['SMS_DistributionStatus'] = $rows.ToArray()
    $document['SMS_DPStatusInfo'] = $dpRows.ToArray()
    $document['SMS_PackageStatusDistPointsSummarizer'] = $contentRows.ToArray()
    $json = ConvertTo-Json -InputObject $document -Depth 4 -Compress
    $written = "$($rows.Count) SMS_DistributionStatus, $($dpRows.Count) SMS_DPStatusInfo and $($contentRows.Count) SMS_PackageStatusDistPointsSummarizer rows"
} elseif ($rows.Count -eq 0) {
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

Write-Verbose "wrote $written to $target"
exit 0
