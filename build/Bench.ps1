<#
.SYNOPSIS
    Prints numbers, not pass/fail: module import time (fresh processes), first-command latency, and for
    test sends against the sandbox the wall time and the requests made (token vs Graph).
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxPath,
    [int] $ImportRuns = 5,
    [int] $Sends = 10
)
$ErrorActionPreference = 'Stop'

# 1. Import time, each in a fresh pwsh so nothing is cached in-process.
$imports = foreach ($i in 1..$ImportRuns) {
    $ms = & dotnet pwsh -NoProfile -NonInteractive -Command "`$sw=[Diagnostics.Stopwatch]::StartNew(); Import-Module '$ModulePath'; `$sw.Stop(); `$sw.Elapsed.TotalMilliseconds"
    [double]($ms | Select-Object -Last 1)
}
$sorted = $imports | Sort-Object
"Import-Module MailOAuth: median {0:0.0} ms, min {1:0.0} ms, max {2:0.0} ms over {3} fresh processes" -f $sorted[[int][math]::Floor($sorted.Count / 2)], $sorted[0], $sorted[-1], $ImportRuns

Import-Module (Join-Path $PSScriptRoot 'SandboxTools.psm1') -Force
Import-Module $ModulePath -Force
$sandbox = Start-MailOAuthSandbox -SandboxPath $SandboxPath
try {
    $s = $sandbox.Info
    Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
    $p = @{
        TenantId = $s.tenantId; ClientId = $s.apps.consented.clientId; SenderAddress = $s.mailboxes.licensed
        ClientSecret = (ConvertTo-SecureString $s.apps.consented.clientSecret -AsPlainText -Force); To = 'bench@contoso.com'; Environment = 'Sandbox'
    }
    Reset-MailOAuthSandbox -Sandbox $sandbox
    $first = Measure-Command { Send-MailOAuthTest @p | Out-Null }
    $rest = Measure-Command { foreach ($i in 2..$Sends) { Send-MailOAuthTest @p | Out-Null } }
    $log = @(Get-MailOAuthSandboxRequest -Sandbox $sandbox)
    "First Send-MailOAuthTest (cold: JIT, TLS, token): {0:0} ms" -f $first.TotalMilliseconds
    "Next {0} sends (token reused): {1:0.0} ms each" -f ($Sends - 1), ($rest.TotalMilliseconds / [math]::Max(1, $Sends - 1))
    "Requests for {0} sends: {1} token, {2} Graph, {3} discovery" -f $Sends, @($log | Where-Object kind -EQ token).Count, @($log | Where-Object kind -EQ graph).Count, @($log | Where-Object kind -EQ discovery).Count
}
finally { Stop-MailOAuthSandbox -Sandbox $sandbox }
