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

function script:Get-SandboxAdminToken($Sandbox) {
    # A raw Graph token of the sandbox's seeded admin app (for -AccessToken and raw Graph calls).
    Get-MailOAuthSandboxToken -Sandbox $Sandbox -ClientId $Sandbox.Info.admin.clientId -ClientSecret $Sandbox.Info.admin.clientSecret
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

function script:Enable-RunbookRehearsal {
    <#
        What Azure Automation gives examples/runbooks/Rotate-MailOAuthSecret.ps1, against the sandbox: `Import-Module
        MailOAuth` resolves to the built module; the managed identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER);
        Automation's Get-AutomationPSCredential as a global function (the runbook runs in a scope of its own), whose
        credential $CredentialName holds the platform's API token and which records each name asked for.

        The runbook's own REST calls (the Key Vault token source: the identity endpoint, then the vault) use
        Invoke-RestMethod. In Automation those hosts resolve and their certificates are trusted; here the runbook finds
        a global Invoke-RestMethod function first, which calls the real cmdlet with two changes, for the sandbox's own
        port only (anything else is refused): -SkipCertificateCheck (the sandbox's self-signed certificate, as
        docs/sandbox.md reads its endpoints), and a vault host under .localhost (which PowerShell 7's resolver does not
        answer, RFC 6761 notwithstanding) sent to 127.0.0.1 with the vault's name in the Host header (how the sandbox
        routes, as Get-MailOAuthSandboxVaultSecret calls it). Each call's method and URI (never a header) is recorded.
        The runbook itself skips no certificate check. Disable-RunbookRehearsal undoes all of it.
    #>
    param([Parameter(Mandatory)] $Sandbox, [string] $CredentialName = 'PlatformApi')
    $state = [pscustomobject]@{
        SavedModulePath  = $env:PSModulePath
        CredentialName   = $CredentialName
        Token            = $Sandbox.Info.platform.apiToken
        Port             = ([uri]$Sandbox.Info.baseUri).Port
        CredentialsAsked = [System.Collections.Generic.List[string]]::new()
        RestCalls        = [System.Collections.Generic.List[string]]::new()
    }
    $global:MailOAuthRunbookRehearsal = $state
    $env:PSModulePath = (Split-Path (Split-Path (Resolve-Path $env:MAILOAUTH_MODULE_PATH).Path)) + [IO.Path]::PathSeparator + $env:PSModulePath
    $env:IDENTITY_ENDPOINT = $Sandbox.Info.managedIdentity.identityEndpoint
    $env:IDENTITY_HEADER = $Sandbox.Info.managedIdentity.identityHeader
    function global:Get-AutomationPSCredential([string] $Name) {
        $global:MailOAuthRunbookRehearsal.CredentialsAsked.Add($Name)
        if ($Name -ne $global:MailOAuthRunbookRehearsal.CredentialName) { return $null }
        [pscredential]::new('platform', (ConvertTo-SecureString $global:MailOAuthRunbookRehearsal.Token -AsPlainText -Force))
    }
    function global:Invoke-RestMethod {
        param([string] $Method = 'Get', [Parameter(Mandatory)] [uri] $Uri, [System.Collections.IDictionary] $Headers = @{})
        $global:MailOAuthRunbookRehearsal.RestCalls.Add("$($Method.ToUpperInvariant()) $($Uri.OriginalString)")
        if ($Uri.Port -ne $global:MailOAuthRunbookRehearsal.Port -or (-not $Uri.IsLoopback -and -not $Uri.Host.EndsWith('.localhost'))) {
            throw "The rehearsal's Invoke-RestMethod calls the sandbox only, not $($Uri.Authority)."
        }
        $send = @{} + $Headers
        $target = $Uri
        if ($Uri.Host.EndsWith('.localhost')) {
            $send['Host'] = $Uri.Authority
            $target = [uri]"https://127.0.0.1:$($Uri.Port)$($Uri.PathAndQuery)"
        }
        Microsoft.PowerShell.Utility\Invoke-RestMethod -Method $Method -Uri $target -Headers $send -SkipCertificateCheck
    }
    $state
}

function script:Disable-RunbookRehearsal {
    param($State)
    Remove-Item Function:\Get-AutomationPSCredential, Function:\Invoke-RestMethod, Variable:\MailOAuthRunbookRehearsal -ErrorAction Ignore
    Remove-Item Env:IDENTITY_ENDPOINT, Env:IDENTITY_HEADER -ErrorAction Ignore
    if ($State) { $env:PSModulePath = $State.SavedModulePath }
}

function script:Invoke-LeakCapture {
    # SecretLeak.Tests.ps1: runs the script block with every stream on and a transcript, and returns what a user could
    # see or log: Captured (every record, *>&1), TranscriptText (the console, errors rendered in full) and AllText
    # (each record rendered as output, as a string and as a forced list; errors with their exceptions and details).
    param([Parameter(Mandatory)] [scriptblock] $ScriptBlock)
    $transcript = Join-Path ([IO.Path]::GetTempPath()) "mailoauth-leak-$([guid]::NewGuid()).txt"
    $DebugPreference = 'Continue'; $VerbosePreference = 'Continue'; $InformationPreference = 'Continue'; $ProgressPreference = 'Continue'
    Start-Transcript -Path $transcript -IncludeInvocationHeader | Out-Null
    try {
        $captured = & $ScriptBlock *>&1
        # Render everything into the transcript too, as a user's console (and Start-Transcript) would show it.
        $captured | Out-Host
        $captured | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | Format-List * -Force | Out-Host
    } finally {
        Stop-Transcript | Out-Null
    }
    $DebugPreference = 'SilentlyContinue'; $VerbosePreference = 'SilentlyContinue'
    $transcriptText = Get-Content -Raw $transcript
    Remove-Item $transcript
    $allText = ($captured | ForEach-Object {
            $_ | Out-String
            if ($null -ne $_) { $_.ToString() }
            "$_"
            $_ | Format-List * -Force | Out-String
            if ($_ -is [System.Management.Automation.ErrorRecord]) {
                $_.Exception | Format-List * -Force | Out-String
                $_.ErrorDetails | Format-List * -Force | Out-String
                $_.Exception.ToString()
            }
        }) -join "`n"
    [pscustomobject]@{ Captured = $captured; TranscriptText = $transcriptText; AllText = $allText }
}

function script:Start-TestSandbox {
    # A started sandbox, registered as the module's Sandbox environment (BeforeAll); Stop-MailOAuthSandbox in AfterAll.
    $sandbox = Start-MailOAuthSandbox
    Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
    $sandbox
}

function script:Get-PlatformParams($Sandbox) {
    # Splat for the reseller platform cmdlets against the sandbox's platform: -PlatformUri and -ApiToken.
    @{ PlatformUri = $Sandbox.Info.platform.uri; ApiToken = (ConvertTo-TestSecret $Sandbox.Info.platform.apiToken) }
}

function script:Reset-SandboxTest {
    # BeforeEach: the seeded directory, a clean sandbox (log, faults, platform), the module connected as the seeded admin.
    param($Sandbox)
    Reset-MailOAuthSandboxDirectory -Sandbox $Sandbox
    Reset-MailOAuthSandbox -Sandbox $Sandbox
    Connect-SandboxAdmin -Sandbox $Sandbox | Out-Null
}

# Microsoft Graph's Mail.Send application permission (app role id).
$script:mailSend = 'b633e1c5-b582-4048-a93e-9f11b44c7e96'

# Graph's own view of an app (the directory snapshot has no requiredResourceAccess), read with the calling file's
# $sandbox and $adminToken.
function script:AppOf([string] $ClientId) { Invoke-MailOAuthSandboxGraph -Sandbox $sandbox -Token $adminToken -Path "applications(appId='$ClientId')" }

function script:DeclaresMailSend($App) {
    # Whether a Graph app (AppOf) declares Mail.Send as an application permission.
    $App.PSObject.Properties.Name | Should -Contain 'requiredResourceAccess'
    [bool]@($App.requiredResourceAccess.resourceAccess | Where-Object { $_.id -eq $mailSend -and $_.type -eq 'Role' })
}

function script:TenantGrantsOf([string] $SpId) {
    # The tenant-wide Mail.Send grants (app role assignments) of a service principal, from the calling file's $sandbox.
    @((Get-MailOAuthSandboxDirectory -Sandbox $sandbox).appRoleAssignments | Where-Object { $_.principalId -eq $SpId -and $_.appRoleId -eq $mailSend })
}

function script:Assert-NoTokenText([string] $AllText, [string] $TranscriptText) {
    # SecretLeak.Tests.ps1: no token (a JWT: Graph, Key Vault, managed identity) and no bearer header value in the streams
    # (Invoke-LeakCapture's AllText) or the transcript.
    foreach ($t in @{ Text = $AllText; Where = 'the streams' }, @{ Text = $TranscriptText; Where = 'the transcript' }) {
        $t.Text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{10,}\.eyJ' -Because "no token may appear in $($t.Where)"
        $t.Text | Should -Not -Match 'Bearer [A-Za-z0-9]' -Because "no bearer header value may appear in $($t.Where)"
    }
}

function script:Assert-NoSecretShapedText([string] $AllText, [string] $TranscriptText) {
    # SecretLeak.Tests.ps1: no text of the shape of a client secret the sandbox issues, in the streams or the transcript.
    $AllText | Should -Not -Match '[A-Za-z0-9]{3}8Q~[A-Za-z0-9~._-]{20,}' -Because 'no secret may appear in the streams'
    $TranscriptText | Should -Not -Match '[A-Za-z0-9]{3}8Q~[A-Za-z0-9~._-]{20,}' -Because 'no secret may appear in the transcript'
}

function script:Assert-SecretNotInText([string] $Secret, [string] $AllText, [string] $TranscriptText) {
    # SecretLeak.Tests.ps1: a known secret value appears (in any letter case) neither in the streams nor in the transcript.
    $Secret | Should -Not -BeNullOrEmpty -Because 'a leak test needs the value it looks for'
    $AllText.IndexOf($Secret, [StringComparison]::OrdinalIgnoreCase) | Should -Be -1 -Because 'the value may not appear in the streams'
    $TranscriptText.IndexOf($Secret, [StringComparison]::OrdinalIgnoreCase) | Should -Be -1 -Because 'the value may not appear in the transcript'
}
