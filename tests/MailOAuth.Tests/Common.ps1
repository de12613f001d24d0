# Dot-sourced by every Pester file in BeforeAll: imports the built module and the sandbox tools.
$ErrorActionPreference = 'Stop'
if (-not $env:MAILOAUTH_MODULE_PATH) { $env:MAILOAUTH_MODULE_PATH = Join-Path $PSScriptRoot '../../out/MailOAuth/MailOAuth.psd1' }
if (-not $env:MAILOAUTH_SANDBOX_PATH) { $env:MAILOAUTH_SANDBOX_PATH = Join-Path $PSScriptRoot '../../out/Sandbox/MailOAuth.Sandbox.dll' }
Import-Module (Join-Path $PSScriptRoot '../../build/SandboxTools.psm1') -Force
Import-Module $env:MAILOAUTH_MODULE_PATH -Force

function script:ConvertTo-TestSecret([string] $Text) { ConvertTo-SecureString $Text -AsPlainText -Force }

function script:Get-SendParams {
    # Splat for Send-MailOAuthTest against the sandbox with one of its seeded apps.
    param($Sandbox, [string] $App = 'consented', [string] $Sender, [string] $Secret)
    $s = $Sandbox.Info
    $a = $s.apps.$App
    @{
        TenantId      = $s.tenantId
        ClientId      = $a.clientId
        ClientSecret  = ConvertTo-TestSecret ($(if ($Secret) { $Secret } else { $a.clientSecret }))
        SenderAddress = $(if ($Sender) { $Sender } else { $s.mailboxes.licensed })
        To            = 'admin@contoso.com'
        Environment   = 'Sandbox'
    }
}

function script:Connect-SandboxAdmin {
    # Connects the module to the sandbox as its seeded admin app (client secret).
    param($Sandbox, [string] $Environment = 'Sandbox')
    $s = $Sandbox.Info
    Connect-MailOAuth -TenantId $s.tenantId -ClientId $s.admin.clientId -ClientSecret (ConvertTo-TestSecret $s.admin.clientSecret) -Environment $Environment
}
