<#
.SYNOPSIS
    Rehearses the whole onboarding offline against the sandbox (a stand-in for Entra ID, Microsoft
    Graph and a reseller platform): connect as the tenant's admin, register the "Email OAuth" app with
    its secret, grant Mail.Send, store everything in the platform's SMTP Email Settings, have the
    platform send its test e-mail — then show what the platform holds and the delivered message.
    A second run shows that re-running converges (the app is reused, no secret deleted); then the
    least-privilege step: Mail.Send scoped to the sender mailbox (Exchange RBAC for Applications), proven
    by a send as the sender and a refused send as another mailbox.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxPath,
    # Replication lag the sandbox simulates (token endpoint and lists; directory writes catch up in a second).
    [double] $ReplicationLagSeconds = 3
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'SandboxTools.psm1') -Force
Import-Module $ModulePath -Force

function Show([string] $Title) { Write-Host ''; Write-Host "── $Title" -ForegroundColor Cyan }

$sandbox = Start-MailOAuthSandbox -SandboxPath $SandboxPath
try {
    $s = $sandbox.Info
    Set-MailOAuthSandboxReplication -Sandbox $sandbox -LagSeconds $ReplicationLagSeconds -DirectoryLagSeconds ([math]::Min(1, $ReplicationLagSeconds))
    Show "Sandbox at $($s.baseUri): tenant $($s.tenantDomain), platform admin page $($s.platform.adminPage)"
    Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Format-Table | Out-Host

    Show 'Connect-MailOAuth (the seeded admin app, client secret)'
    $adminSecret = ConvertTo-SecureString $s.admin.clientSecret -AsPlainText -Force
    Connect-MailOAuth -TenantId $s.tenantDomain -ClientId $s.admin.clientId -ClientSecret $adminSecret -Environment Sandbox | Format-Table | Out-Host

    $token = ConvertTo-SecureString $s.platform.apiToken -AsPlainText -Force
    # Dot-sourced below, so New-MailOAuthApp's output (with the secret) stays in $app for the scoping step.
    $pipeline = {
        New-MailOAuthApp -SenderAddress $s.mailboxes.licensed -OutVariable app |
            Grant-MailSendConsent -PassThru |
            Set-ResellerSmtpSetting -PlatformUri $s.platform.uri -ApiToken $token -PassThru |
            Send-ResellerTestEmail -To 'admin@contoso.com'
    }
    Show 'New-MailOAuthApp -SenderAddress sender@contoso.com | Grant-MailSendConsent -PassThru | Set-ResellerSmtpSetting … -PassThru | Send-ResellerTestEmail -To admin@contoso.com'
    $first = . $pipeline
    $first | Format-Table | Out-Host

    Show 'What the platform holds now (Get-ResellerSmtpSetting: the secret hint only)'
    Get-ResellerSmtpSetting -PlatformUri $s.platform.uri -ApiToken $token | Format-List | Out-Host

    Show 'The app in Entra (Get-MailOAuthApp)'
    $apps = Get-MailOAuthApp
    $apps | Format-Table | Out-Host

    Show 'The message the platform sent, as the sandbox delivered it'
    Get-MailOAuthSandboxOutbox -Sandbox $sandbox | Select-Object from, to, subject, clientId, receivedAt | Format-List | Out-Host

    Show 'Run it again: it converges (same app, a new secret, none deleted)'
    $second = . $pipeline 3>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.WarningRecord]) { Write-Host "WARNING: $_" -ForegroundColor Yellow } else { $_ } }
    $second | Format-Table | Out-Host
    # The sandbox seeds a managed app of its own (scoped to a mailbox): count the demo's app by its name.
    $after = @(Get-MailOAuthApp -DisplayName 'Email OAuth')
    "Apps named 'Email OAuth' managed by MailOAuth: $($after.Count); secrets on it: $($after[0].Secrets.Count)" | Out-Host

    # The platform sends with this app now: scope it in two steps, so that no send is denied while Exchange applies the assignment.
    $warnings = { process { if ($_ -is [System.Management.Automation.WarningRecord]) { Write-Host "WARNING: $_" -ForegroundColor Yellow } else { $_ } } }
    Show 'Least privilege, step 1: Grant-MailSendConsent -Scope Mailbox -KeepTenantGrant (the Exchange assignment for sender@contoso.com; the tenant-wide grant stays while Exchange applies it)'
    $staged = $app | Grant-MailSendConsent -Scope Mailbox -KeepTenantGrant -PassThru 3>&1 | & $warnings
    $staged | Format-Table | Out-Host
    Show 'Exchange applies it within 30 minutes to 2 hours; the sandbox is told to apply it now. Step 2 removes the tenant-wide grant (on a real tenant: the same command without -KeepTenantGrant after the time above; here -Force stands in for the wait)'
    [void](Invoke-MailOAuthSandboxExchangeApply -Sandbox $sandbox)
    $scoped = $app | Grant-MailSendConsent -Scope Mailbox -Force -PassThru -Confirm:$false 3>&1 | & $warnings
    $scoped | Format-Table | Out-Host
    Show 'A send as the sender, then one as another mailbox'
    $proof = @{ TenantId = $app.TenantId; ClientId = $app.ClientId; ClientSecret = $app.ClientSecret; SendScope = $scoped.SendScope; ScopeAssignedOn = $scoped.ScopeAssignedOn; To = 'admin@contoso.com'; Environment = 'Sandbox' }
    $allowed = Send-MailOAuthTest @proof -SenderAddress $s.mailboxes.licensed
    $refused = Send-MailOAuthTest @proof -SenderAddress $s.mailboxes.other -ExpectDenied
    $allowed, $refused | Select-Object SenderAddress, Outcome, Status | Format-Table | Out-Host

    Show 'And what a classic mistake gets you: the secret ID pasted instead of the secret value'
    $wrong = ConvertTo-SecureString $s.apps.consented.secretKeyId -AsPlainText -Force
    Send-MailOAuthTest -TenantId $s.tenantId -ClientId $s.apps.consented.clientId -ClientSecret $wrong -SenderAddress $s.mailboxes.licensed `
        -To 'admin@contoso.com' -Environment Sandbox -ErrorAction SilentlyContinue -ErrorVariable failure | Out-Null
    $failure | ForEach-Object { "ErrorId: $($_.FullyQualifiedErrorId)`n$($_.Exception.Message)`nDo this: $($_.ErrorDetails.RecommendedAction)" } | Out-Host

    if (-not $first.Delivered -or -not $second.Delivered -or $after.Count -ne 1 -or $after[0].Secrets.Count -ne 2 -or $staged.ScopeStage -ne 'Staged' -or $scoped.ScopeStage -ne 'Enforced' -or $allowed.Outcome -ne 'Delivered' -or $refused.Outcome -ne 'DeniedAsExpected') { Write-Host 'Demo FAILED' -ForegroundColor Red; exit 1 }
    Write-Host ''
    Write-Host 'Demo complete: delivered through Entra ID, Graph and the platform, twice, with one app, then scoped to the sender mailbox.' -ForegroundColor Green
}
finally {
    Disconnect-MailOAuth
    Stop-MailOAuthSandbox -Sandbox $sandbox
}
