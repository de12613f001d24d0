<#
.SYNOPSIS
    Prints numbers, not pass/fail: module import time (fresh processes), first-command latency, and for
    test sends against the sandbox the wall time and the requests made (token vs Graph), the onboarding
    and one secret rotation at lag 0 and under lag (time, writes, token requests), and a full
    Test-MailOAuthConfiguration (time and requests).
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

    # 3. The onboarding pipeline (New-MailOAuthApp | Grant-MailSendConsent | Send-MailOAuthTest) at several lags.
    Connect-MailOAuth -TenantId $s.tenantId -ClientId $s.admin.clientId -Environment Sandbox `
        -ClientSecret (ConvertTo-SecureString $s.admin.clientSecret -AsPlainText -Force) | Out-Null
    # The app the rotations below rotate, made now at lag 0 so that it is long replicated when they run (the lag
    # scenarios in between take a minute): under lag only the rotation's own new secret is new.
    Set-MailOAuthSandboxReplication -Sandbox $sandbox -LagSeconds 0
    $rotationPlatform = @{ PlatformUri = $s.platform.uri; ApiToken = (ConvertTo-SecureString $s.platform.apiToken -AsPlainText -Force) }
    $rotationApp = New-MailOAuthApp -DisplayName "Bench rotation $([guid]::NewGuid().ToString('N').Substring(0, 6))" -SenderAddress $s.mailboxes.licensed -ProgressAction SilentlyContinue |
        Grant-MailSendConsent -PassThru -ProgressAction SilentlyContinue
    $rotationApp | Set-ResellerSmtpSetting @rotationPlatform | Out-Null

    $scenarios = @(
        @{ Name = 'lag 0'; Lag = 0; DirectoryLag = $null }
        @{ Name = 'lag 20 s (directory writes 2 s)'; Lag = 20; DirectoryLag = 2 }
        @{ Name = 'lag 20 s on every endpoint'; Lag = 20; DirectoryLag = $null }
    )
    foreach ($scenario in $scenarios) {
        Set-MailOAuthSandboxReplication -Sandbox $sandbox -LagSeconds $scenario.Lag -DirectoryLagSeconds $scenario.DirectoryLag
        Reset-MailOAuthSandbox -Sandbox $sandbox
        $name = "Bench $([guid]::NewGuid().ToString('N').Substring(0, 6))"
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $app = New-MailOAuthApp -DisplayName $name -SenderAddress $s.mailboxes.licensed -ProgressAction SilentlyContinue
        $grant = $app | Grant-MailSendConsent -ProgressAction SilentlyContinue
        $sent = $app | Send-MailOAuthTest -To 'bench@contoso.com'
        $sw.Stop()
        $log = @(Get-MailOAuthSandboxRequest -Sandbox $sandbox)
        $writes = @(Get-MailOAuthSandboxDirectoryWrite -Sandbox $sandbox)
        "Onboarding, {0}: {1:0.00} s wall, {2:0.00} s waiting for replication; directory write requests {3} ({4} accepted); token requests {5} (admin {6}); directory reads {7}; result {8}" -f `
            $scenario.Name, $sw.Elapsed.TotalSeconds, ($app.ReplicationWait + $grant.ReplicationWait).TotalSeconds,
            $writes.Count, @($writes | Where-Object status -LT 300).Count,
            @($log | Where-Object kind -EQ token).Count, @($log | Where-Object { $_.kind -eq 'token' -and $_.clientId -eq $s.admin.clientId }).Count,
            @($log | Where-Object { $_.kind -eq 'directory' -and $_.method -eq 'GET' }).Count, $sent.Status
    }

    # 3b. One Update-MailOAuthSecret rotation through the platform (add, prove, store, platform test, remove the old
    #     secret), with the token endpoint at lag 0 and at lag 20 s: under lag the rotation waits for its new secret
    #     with its bounded progress (no sleep here either).
    foreach ($lag in 0, 20) {
        Set-MailOAuthSandboxReplication -Sandbox $sandbox -LagSeconds $lag -DirectoryLagSeconds 0
        Reset-MailOAuthSandbox -Sandbox $sandbox
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $rotated = Update-MailOAuthSecret -ClientId $rotationApp.ClientId @rotationPlatform -Confirm:$false -ProgressAction SilentlyContinue
        $sw.Stop()
        $log = @(Get-MailOAuthSandboxRequest -Sandbox $sandbox)
        $graphWrites = @($log | Where-Object { $_.kind -eq 'directory' -and $_.method -in 'POST', 'PATCH', 'PUT', 'DELETE' })
        $platformSends = @($log | Where-Object { $_.kind -eq 'graph' -and $_.path -match '/sendMail$' })
        $platformWrites = @($log | Where-Object { $_.kind -eq 'platform' -and $_.method -in 'POST', 'PATCH', 'PUT', 'DELETE' })
        $tokens = @($log | Where-Object kind -EQ token)
        "Rotation (Update-MailOAuthSecret with the platform), lag {0} s: {1:0.00} s wall, {2:0.00} s waiting for replication; writes {3} (Graph {4}: {5}; platform {6}: {7}; and the platform's test sent {12} mail); token requests {8} ({9} refused while the new secret replicated); removed {10}, proven by {11}" -f `
            $lag, $sw.Elapsed.TotalSeconds, $rotated.ReplicationWait.TotalSeconds, ($graphWrites.Count + $platformWrites.Count),
            $graphWrites.Count, (($graphWrites | ForEach-Object { ($_.path -split '/')[-1] }) -join ', '),
            $platformWrites.Count, (($platformWrites | ForEach-Object { "$($_.method) $(($_.path -split '/')[-1])" }) -join ', '),
            $tokens.Count, @($tokens | Where-Object status -GE 400).Count, @($rotated.RemovedKeyIds).Count, ($rotated.ProvenBy -join '+'), $platformSends.Count
    }
    Set-MailOAuthSandboxReplication -Sandbox $sandbox -LagSeconds 0

    # 3c. Least privilege: Grant-MailSendConsent -Scope Mailbox on a new app (the onboarding pipeline's step), its re-run,
    #     and going back with -Scope Tenant: time, directory requests (Graph v1.0 and beta roleManagement) and writes.
    $scopeApp = New-MailOAuthApp -DisplayName "Bench scope $([guid]::NewGuid().ToString('N').Substring(0, 6))" -SenderAddress $s.mailboxes.licensed -ProgressAction SilentlyContinue
    foreach ($step in @(
            @{ Name = 'scope a new app to its sender'; Scope = 'Mailbox' }
            @{ Name = 'run again (nothing to change)'; Scope = 'Mailbox' }
            @{ Name = 'back to tenant-wide (-Scope Tenant)'; Scope = 'Tenant' })) {
        Reset-MailOAuthSandbox -Sandbox $sandbox
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $scopeApp | Grant-MailSendConsent -Scope $step.Scope -Confirm:$false -WarningAction SilentlyContinue -ProgressAction SilentlyContinue | Out-Null
        $sw.Stop()
        $log = @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object kind -EQ directory)
        $writes = @($log | Where-Object { $_.method -in 'POST', 'PATCH', 'PUT', 'DELETE' })
        "Scoping, {0}: {1:0} ms; directory requests {2} ({3} writes{4})" -f $step.Name, $sw.Elapsed.TotalMilliseconds, $log.Count, $writes.Count,
            $(if ($writes) { ': ' + (($writes | ForEach-Object { "$($_.method) $(($_.path -split '/')[-1])" }) -join ', ') } else { '' })
    }

    # 3d. What -KeyVaultUri adds to New-MailOAuthApp (the vault copy of the new secret, with the connection's credential).
    foreach ($withVault in $false, $true) {
        Reset-MailOAuthSandbox -Sandbox $sandbox
        $vault = if ($withVault) { @{ KeyVaultUri = $s.keyVault.uri } } else { @{} }
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $made = New-MailOAuthApp -DisplayName "Bench vault $([guid]::NewGuid().ToString('N').Substring(0, 6))" -SenderAddress $s.mailboxes.licensed @vault -ProgressAction SilentlyContinue
        $sw.Stop()
        $log = @(Get-MailOAuthSandboxRequest -Sandbox $sandbox)
        "New-MailOAuthApp {0}: {1:0} ms; requests: {2} directory, {3} token, {4} Key Vault; KeyVaultStatus {5}" -f $(if ($withVault) { 'with -KeyVaultUri' } else { 'without a vault' }),
            $sw.Elapsed.TotalMilliseconds, @($log | Where-Object kind -EQ directory).Count, @($log | Where-Object kind -EQ token).Count, @($log | Where-Object kind -EQ keyvault).Count, $made.KeyVaultStatus
    }

    # 4. A full Test-MailOAuthConfiguration (directory, secret policy, platform; no send), warm and connected.
    Set-MailOAuthSandboxReplication -Sandbox $sandbox -LagSeconds 0
    $platform = @{ PlatformUri = $s.platform.uri; ApiToken = (ConvertTo-SecureString $s.platform.apiToken -AsPlainText -Force) }
    $check = @{ TenantId = $p.TenantId; ClientId = $p.ClientId; ClientSecret = $p.ClientSecret; SenderAddress = $p.SenderAddress; Environment = 'Sandbox' }
    Set-ResellerSmtpSetting @platform @check | Out-Null
    $check.DnsServer = $s.dns
    Test-MailOAuthConfiguration @check @platform -ProgressAction SilentlyContinue | Out-Null # warm-up
    Reset-MailOAuthSandbox -Sandbox $sandbox
    [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method DELETE -Path '/_sandbox/dns/queries')
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $results = @(Test-MailOAuthConfiguration @check @platform -ProgressAction SilentlyContinue)
    $sw.Stop()
    $log = @(Get-MailOAuthSandboxRequest -Sandbox $sandbox)
    $dnsQueries = (Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Path '/_sandbox/dns').queries
    "Test-MailOAuthConfiguration, full check with platform and DNS, no send: {0:0} ms; {1} checks ({2}); requests: {3} token (the app token of the warm-up run is reused), {4} directory, {5} platform, {6} discovery, {7} other; {8} DNS queries" -f `
        $sw.Elapsed.TotalMilliseconds, $results.Count, (($results | Group-Object Status | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', '),
        @($log | Where-Object kind -EQ token).Count, @($log | Where-Object kind -EQ directory).Count, @($log | Where-Object kind -EQ platform).Count,
        @($log | Where-Object kind -EQ discovery).Count, @($log | Where-Object { $_.kind -notin 'token', 'directory', 'platform', 'discovery' }).Count, $dnsQueries
}
finally { Stop-MailOAuthSandbox -Sandbox $sandbox }
