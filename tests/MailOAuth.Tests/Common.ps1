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

function script:Invoke-FreshPwsh {
    # A script in a fresh pwsh (the one running this suite: the dotnet tool's pwsh.dll, or an installed
    # pwsh), with a fresh module path and the given environment variables; returns exit code and output.
    param([Parameter(Mandatory)] [string] $Script, [hashtable] $Environment = @{}, [string] $WorkingDirectory = (Get-Location).ProviderPath, [int] $TimeoutSeconds = 180)
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    $psi = [Diagnostics.ProcessStartInfo]::new($(if (Test-Path $pwshDll) { 'dotnet' } else { (Get-Process -Id $PID).Path }))
    if (Test-Path $pwshDll) { $psi.ArgumentList.Add($pwshDll) }
    # A script file (not -EncodedCommand, whose redirected error stream is CLIXML): errors read as a person sees them.
    $file = Join-Path ([IO.Path]::GetTempPath()) "mailoauth-child-$([guid]::NewGuid().ToString('n')).ps1"
    Set-Content -LiteralPath $file -Value $Script -Encoding utf8BOM
    foreach ($a in '-NoProfile', '-NonInteractive', '-File', $file) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
    $psi.WorkingDirectory = $WorkingDirectory
    # Nothing inherited from this session can satisfy an Import-Module by name.
    [void]$psi.Environment.Remove('PSModulePath')
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    $psi.Environment['NO_COLOR'] = '1'
    try {
        $p = [Diagnostics.Process]::Start($psi)
        $stderr = $p.StandardError.ReadToEndAsync()
        $stdout = $p.StandardOutput.ReadToEndAsync()
        if (-not $p.WaitForExit($TimeoutSeconds * 1000)) { $p.Kill($true); throw "The child pwsh did not finish within $TimeoutSeconds s." }
        $ansi = "$([char]27)\[[0-9;]*[A-Za-z]"
        [pscustomobject]@{ ExitCode = $p.ExitCode; Output = $stdout.Result -replace $ansi, ''; Error = $stderr.Result -replace $ansi, '' }
    }
    finally { Remove-Item -LiteralPath $file -ErrorAction Ignore }
}
