# Run in a fresh pwsh by Isolation.Tests.ps1: another module's older Azure.Core and MSAL are loaded
# first, then MailOAuth is imported and sends through the sandbox. Writes one JSON line.
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $SandboxPath,
    [Parameter(Mandatory)] [string[]] $Preload
)
$ErrorActionPreference = 'Stop'
foreach ($path in ($Preload -split ",")) { [void][System.Reflection.Assembly]::LoadFrom($path) }
Import-Module (Join-Path $PSScriptRoot '../../build/SandboxTools.psm1')
Import-Module $ModulePath
$sandbox = Start-MailOAuthSandbox -SandboxPath $SandboxPath
try {
    $s = $sandbox.Info
    Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
    $result = Send-MailOAuthTest -TenantId $s.tenantId -ClientId $s.apps.consented.clientId -SenderAddress $s.mailboxes.licensed `
        -ClientSecret (ConvertTo-SecureString $s.apps.consented.clientSecret -AsPlainText -Force) -To 'admin@contoso.com' -Environment Sandbox
    $loaded = [AppDomain]::CurrentDomain.GetAssemblies() |
        Where-Object { $_.GetName().Name -in 'Microsoft.Identity.Client', 'Azure.Core', 'MailOAuth.Core' } |
        ForEach-Object { [pscustomobject]@{ Name = $_.GetName().Name; Version = "$($_.GetName().Version)"; Context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).GetType().Name } }
    [pscustomobject]@{ Status = $result.Status; Loaded = @($loaded) } | ConvertTo-Json -Depth 4 -Compress
}
finally { Stop-MailOAuthSandbox -Sandbox $sandbox }
