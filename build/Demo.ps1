<#
.SYNOPSIS
    Rehearses MailOAuth offline: starts the sandbox (a stand-in for Entra ID and Graph), proves its
    seeded app can send through a real client-credentials token and Graph sendMail, then shows the
    message the sandbox delivered.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxPath
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'SandboxTools.psm1') -Force
Import-Module $ModulePath -Force

$sandbox = Start-MailOAuthSandbox -SandboxPath $SandboxPath
try {
    $s = $sandbox.Info
    Write-Host "Sandbox listening at $($s.baseUri) (tenant $($s.tenantDomain), certificate $($s.certificatePath))"
    Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Format-Table | Out-Host

    $app = $s.apps.consented
    $secret = ConvertTo-SecureString $app.clientSecret -AsPlainText -Force
    Write-Host "Send-MailOAuthTest -TenantId $($s.tenantDomain) -ClientId $($app.clientId) -SenderAddress $($s.mailboxes.licensed) -To admin@contoso.com -Environment Sandbox"
    $result = Send-MailOAuthTest -TenantId $s.tenantDomain -ClientId $app.clientId -ClientSecret $secret `
        -SenderAddress $s.mailboxes.licensed -To 'admin@contoso.com' -Subject 'MailOAuth demo' -Environment Sandbox
    $result | Format-List | Out-Host

    Write-Host 'What the sandbox delivered (its outbox):'
    Get-MailOAuthSandboxOutbox -Sandbox $sandbox | Format-List | Out-Host

    Write-Host 'And what a wrong secret gets (the secret ID pasted instead of the value):'
    $wrong = ConvertTo-SecureString $app.secretKeyId -AsPlainText -Force
    Send-MailOAuthTest -TenantId $s.tenantId -ClientId $app.clientId -ClientSecret $wrong -SenderAddress $s.mailboxes.licensed `
        -To 'admin@contoso.com' -Environment Sandbox -ErrorAction SilentlyContinue -ErrorVariable failure | Out-Null
    $failure | ForEach-Object { "ErrorId: $($_.FullyQualifiedErrorId)`n$($_.Exception.Message)`nDo this: $($_.ErrorDetails.RecommendedAction)" } | Out-Host
    if (-not $result -or $result.Status -ne 'Accepted') { exit 1 }
}
finally {
    Stop-MailOAuthSandbox -Sandbox $sandbox
}
