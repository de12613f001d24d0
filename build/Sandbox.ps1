#requires -Version 7.2
<#
.SYNOPSIS
    The rehearsal front door: starts the sandbox in the background and prints, ready to paste into
    any pwsh, the lines that import the module, register the 'Sandbox' environment (its certificate
    pinned for its own host only) and set $sandbox, $adminApp, $adminSecret, $platform and $token.
    -Stop stops it. Called by `build.ps1 -Task Sandbox` / `-Task SandboxStop` (docs/sandbox.md).
.DESCRIPTION
    The sandbox runs detached (not tied to this process's stdin), so it outlives the command that
    started it. Its start-up line is kept in <RunDirectory>/sandbox.json and its process id in
    <RunDirectory>/sandbox.pid; the pasted lines read the secrets from that file, so no secret is
    printed. A sandbox already running from the same RunDirectory is reused (its lines printed again).
    Output: the paste block, as lines of text (the rest of what it says goes to the host).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxPath,
    [Parameter(Mandatory)] [string] $RunDirectory,
    [switch] $Stop,
    [int] $StartTimeoutSeconds = 60
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$null = New-Item -ItemType Directory -Force -Path $RunDirectory
$RunDirectory = (Resolve-Path -LiteralPath $RunDirectory).ProviderPath
$infoFile = Join-Path $RunDirectory 'sandbox.json'
$pidFile = Join-Path $RunDirectory 'sandbox.pid'
$logFile = Join-Path $RunDirectory 'sandbox.out.log'
$errFile = Join-Path $RunDirectory 'sandbox.err.log'

function Get-RunningSandbox {
    # The process recorded in sandbox.pid, if it is still that sandbox (a recycled id is not ours).
    if (-not (Test-Path -LiteralPath $pidFile)) { return $null }
    $recorded = Get-Content -Raw -LiteralPath $pidFile | ConvertFrom-Json
    $process = Get-Process -Id $recorded.pid -ErrorAction Ignore
    # Start times are compared loosely: on Linux each process derives them from the boot time with its own rounding.
    if ($process -and [math]::Abs([DateTimeOffset]::new($process.StartTime).ToUnixTimeMilliseconds() - [long]$recorded.startTimeUnixMs) -lt 2000) { return $process }
    $null
}

if ($Stop) {
    $process = Get-RunningSandbox
    if (-not $process) { Write-Host 'No sandbox is running from this folder.'; return }
    Stop-Process -Id $process.Id
    if (-not $process.WaitForExit(10000)) { throw "The sandbox (PID $($process.Id)) did not exit within 10 s." }
    Remove-Item -LiteralPath $pidFile, $infoFile -ErrorAction Ignore
    Write-Host "Sandbox stopped (PID $($process.Id))."
    return
}

$process = Get-RunningSandbox
if ($process) {
    Write-Host "The sandbox is already running (PID $($process.Id)); its lines again:"
}
else {
    if (-not (Test-Path -LiteralPath $SandboxPath)) { throw "Sandbox not found at '$SandboxPath'. Build first: dotnet pwsh ./build.ps1" }
    Remove-Item -LiteralPath $infoFile, $logFile, $errFile -ErrorAction Ignore
    $start = @{
        FilePath               = 'dotnet'
        ArgumentList           = @($SandboxPath, '--port', '0', '--state-dir', (Join-Path $RunDirectory 'state'))
        RedirectStandardOutput = $logFile
        RedirectStandardError  = $errFile
        PassThru               = $true
    }
    if ($IsWindows) { $start.WindowStyle = 'Hidden' }
    $process = Start-Process @start
    # Wait for the start-up line (bounded), polling the log the sandbox writes it to.
    $deadline = [DateTime]::UtcNow.AddSeconds($StartTimeoutSeconds)
    $line = $null
    while (-not $line) {
        if (Test-Path -LiteralPath $logFile) {
            $line = Get-Content -LiteralPath $logFile -TotalCount 1 -ErrorAction Ignore | Where-Object { $_ -like '{*}' }
        }
        if ($line) { break }
        if ($process.HasExited) { throw "The sandbox exited at start (exit code $($process.ExitCode)): $(Get-Content -Raw -LiteralPath $errFile -ErrorAction Ignore)" }
        if ([DateTime]::UtcNow -gt $deadline) {
            Stop-Process -Id $process.Id -ErrorAction Ignore
            throw "The sandbox did not report its start-up line within $StartTimeoutSeconds s."
        }
        [void]$process.WaitForExit(100)
    }
    Set-Content -LiteralPath $infoFile -Value $line -Encoding utf8NoBOM
    @{ pid = $process.Id; startTimeUnixMs = [DateTimeOffset]::new($process.StartTime).ToUnixTimeMilliseconds() } | ConvertTo-Json -Compress |
        Set-Content -LiteralPath $pidFile -Encoding utf8NoBOM
}

$info = Get-Content -Raw -LiteralPath $infoFile | ConvertFrom-Json
$quote = { param([string] $s) "'" + ($s -replace "'", "''") + "'" }
Write-Host "Sandbox running at $($info.baseUri) (PID $($process.Id)); tenant $($info.tenantDomain); platform admin page $($info.platform.adminPage)"
Write-Host 'Paste these lines into pwsh (PowerShell 7) to rehearse against it:'
Write-Host ''
# The paste block: comments and commands only, so the whole of it can be pasted as it is.
@(
    "Import-Module $(& $quote (Resolve-Path -LiteralPath $ModulePath).ProviderPath)"
    "`$sandbox = Get-Content -Raw -LiteralPath $(& $quote $infoFile) | ConvertFrom-Json"
    '# The sandbox''s self-signed certificate is trusted for its own host only (pinned): nothing is trusted globally.'
    'Add-MailOAuthEnvironment -Name Sandbox -AuthorityHost $sandbox.authorityHost -GraphEndpoint $sandbox.graphEndpoint -TrustedCertificatePath $sandbox.certificatePath -KeyVaultSuffix $sandbox.keyVault.suffix -KeyVaultAudience $sandbox.keyVault.audience'
    '$adminApp = $sandbox.admin.clientId'
    '# Random per sandbox start, never a real secret: converting it from plain text is fine here.'
    '$adminSecret = ConvertTo-SecureString $sandbox.admin.clientSecret -AsPlainText -Force'
    '$platform = $sandbox.platform.uri'
    '$token = ConvertTo-SecureString $sandbox.platform.apiToken -AsPlainText -Force'
    "# When done, stop it from the repository folder: dotnet pwsh ./build.ps1 -Task SandboxStop   (or: Stop-Process -Id $($process.Id))"
)
