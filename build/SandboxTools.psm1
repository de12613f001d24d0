<#
    Starting and reading the MailOAuth sandbox from PowerShell: used by the demo, the benchmark and
    the Pester tests. The sandbox's certificate is pinned for its own requests only (never a global
    validation override).
#>
Set-StrictMode -Version Latest

Add-Type -TypeDefinition @'
using System;
using System.Net.Http;
using System.Net.Security;

public static class MailOAuthSandboxHttp
{
    // Trusts exactly the sandbox certificate (by thumbprint) for this one HttpClient.
    public static HttpClient Create(string baseUri, string thumbprint)
    {
        var handler = new HttpClientHandler();
        handler.ServerCertificateCustomValidationCallback = (request, cert, chain, errors) =>
            errors == SslPolicyErrors.None || (cert != null && string.Equals(cert.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase));
        return new HttpClient(handler) { BaseAddress = new Uri(baseUri) };
    }
}
'@

function Start-MailOAuthSandbox {
    <# Starts the sandbox (built dll) and returns its start-up info plus the process. #>
    [CmdletBinding()]
    param(
        [string] $SandboxPath = $env:MAILOAUTH_SANDBOX_PATH,
        [string[]] $ArgumentList = @(),
        [int] $StartTimeoutSeconds = 60
    )
    if (-not $SandboxPath -or -not (Test-Path $SandboxPath)) { throw "Sandbox not found at '$SandboxPath'. Run ./build.ps1 first." }
    $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @($SandboxPath, '--port', '0', '--exit-on-stdin-close') + $ArgumentList) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $lineTask = $process.StandardOutput.ReadLineAsync()
    if (-not $lineTask.Wait([TimeSpan]::FromSeconds($StartTimeoutSeconds)) -or -not $lineTask.Result) {
        $err = if ($process.HasExited) { $process.StandardError.ReadToEnd() } else { '' }
        try { $process.Kill($true) } catch { }
        throw "The sandbox did not report its start-up line within $StartTimeoutSeconds s. $err"
    }
    $info = $lineTask.Result | ConvertFrom-Json
    $http = [MailOAuthSandboxHttp]::Create($info.baseUri, $info.certificateThumbprint)
    [pscustomobject]@{
        PSTypeName = 'MailOAuth.Sandbox'
        Info       = $info
        InfoJson   = $lineTask.Result
        Process    = $process
        Http       = $http
    }
}

function Stop-MailOAuthSandbox {
    <# Stops the sandbox: closing its stdin ends it; wait for the exit (bounded), else kill. #>
    param([Parameter(Mandatory, ValueFromPipeline)] $Sandbox)
    process {
        if ($Sandbox.Process.HasExited) { return }
        try { $Sandbox.Process.StandardInput.Close() } catch { }
        if (-not $Sandbox.Process.WaitForExit(10000)) { $Sandbox.Process.Kill($true); [void]$Sandbox.Process.WaitForExit(5000) }
        $Sandbox.Http.Dispose()
    }
}

function Invoke-MailOAuthSandboxControl {
    <# Calls a /_sandbox/ control endpoint; returns the parsed JSON (or $null). #>
    param(
        [Parameter(Mandatory)] $Sandbox,
        [ValidateSet('GET', 'POST', 'PUT', 'DELETE')] [string] $Method = 'GET',
        [Parameter(Mandatory)] [string] $Path,
        $Body
    )
    $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::new($Method), $Path)
    if ($null -ne $Body) {
        $json = if ($Body -is [string]) { $Body } else { $Body | ConvertTo-Json -Depth 10 -Compress }
        $request.Content = [System.Net.Http.StringContent]::new($json, [System.Text.Encoding]::UTF8, 'application/json')
    }
    $response = $Sandbox.Http.SendAsync($request).GetAwaiter().GetResult()
    $text = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
    if (-not $response.IsSuccessStatusCode) { throw "Sandbox control $Method $Path answered $([int]$response.StatusCode): $text" }
    if ($text) { $text | ConvertFrom-Json -NoEnumerate } else { $null }
}

function Get-MailOAuthSandboxOutbox { param([Parameter(Mandatory)] $Sandbox) ; @(Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Path '/_sandbox/outbox') | ForEach-Object { $_ } }
function Get-MailOAuthSandboxRequest { param([Parameter(Mandatory)] $Sandbox) ; @(Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Path '/_sandbox/requests') | ForEach-Object { $_ } }
function Reset-MailOAuthSandbox { param([Parameter(Mandatory)] $Sandbox) ; [void](Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Method POST -Path '/_sandbox/reset') }
function Add-MailOAuthSandboxFault {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [hashtable] $Fault)
    Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Method POST -Path '/_sandbox/faults' -Body $Fault
}

function Register-MailOAuthSandboxEnvironment {
    <# Adds the sandbox as a MailOAuth environment (requires the module imported). #>
    param([Parameter(Mandatory)] $Sandbox, [string] $Name = 'Sandbox')
    Add-MailOAuthEnvironment -Name $Name -AuthorityHost $Sandbox.Info.authorityHost -GraphEndpoint $Sandbox.Info.graphEndpoint `
        -TrustedCertificatePath $Sandbox.Info.certificatePath -KeyVaultSuffix $Sandbox.Info.keyVault.suffix -KeyVaultAudience $Sandbox.Info.keyVault.audience
}



function Get-MailOAuthSandboxToken {
    <# A raw client-credentials token from the sandbox's token endpoint (for -AccessToken tests and raw Graph calls). #>
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $ClientId, [Parameter(Mandatory)] [string] $ClientSecret)
    Request-SandboxToken -Sandbox $Sandbox -ClientId $ClientId -ClientSecret $ClientSecret -Resource $Sandbox.Info.graphEndpoint
}

function Request-SandboxToken {
    # Private: a client-credentials token for $Resource from the sandbox's token endpoint; $What names it in the error.
    param($Sandbox, [string] $ClientId, [string] $ClientSecret, [string] $Resource, [string] $What = 'Token')
    $form = [System.Collections.Generic.Dictionary[string, string]]::new()
    $form['grant_type'] = 'client_credentials'; $form['client_id'] = $ClientId; $form['client_secret'] = $ClientSecret
    $form['scope'] = "$Resource/.default"
    $response = $Sandbox.Http.PostAsync("/$($Sandbox.Info.tenantId)/oauth2/v2.0/token", [System.Net.Http.FormUrlEncodedContent]::new($form)).GetAwaiter().GetResult()
    $text = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
    if (-not $response.IsSuccessStatusCode) { throw "$What request failed: $([int]$response.StatusCode) $text" }
    ($text | ConvertFrom-Json).access_token
}

function New-SandboxVaultRequest {
    # Private: a request to the sandbox's Key Vault $Vault with a vault token of the admin app. The vault host
    # ({vault}.vault.localhost) goes in the Host header of a request to the sandbox's own loopback address.
    param($Sandbox, [System.Net.Http.HttpMethod] $Method, [string] $Path, [string] $Vault)
    $token = Request-SandboxToken -Sandbox $Sandbox -ClientId $Sandbox.Info.admin.clientId -ClientSecret $Sandbox.Info.admin.clientSecret `
        -Resource $Sandbox.Info.keyVault.audience -What 'Vault token'
    $request = [System.Net.Http.HttpRequestMessage]::new($Method, $Path)
    $request.Headers.Host = "$Vault.$($Sandbox.Info.keyVault.suffix):$(([uri]$Sandbox.Info.baseUri).Port)"
    $request.Headers.Authorization = [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Bearer', $token)
    $request
}

function Get-MailOAuthSandboxVaultSecret {
    <#
        Reads a secret of the sandbox's Key Vault back through its secrets API (GET /secrets/{name}[/versions]) with a vault
        token of the admin app: the value as the real service returns it (Graph-free). -Versions lists the versions instead.
        The vault host ({vault}.vault.localhost) goes in the Host header of a request to the sandbox's own loopback address.
    #>
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Name, [string] $Vault = 'mailoauth', [switch] $Versions)
    $path = "/secrets/$Name$(if ($Versions) { '/versions' })?api-version=7.6"
    $request = New-SandboxVaultRequest -Sandbox $Sandbox -Method ([System.Net.Http.HttpMethod]::Get) -Path $path -Vault $Vault
    $response = $Sandbox.Http.SendAsync($request).GetAwaiter().GetResult()
    $text = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
    if (-not $response.IsSuccessStatusCode) { throw "Key Vault GET $path answered $([int]$response.StatusCode): $text" }
    $text | ConvertFrom-Json
}

function Set-MailOAuthSandboxVaultSecret {
    <#
        Stores a secret in the sandbox's Key Vault through its secrets API (PUT /secrets/{name}) with a vault token of the
        admin app, as an operator seeds a vault (e.g. a platform API token for a runbook to read); returns the SecretBundle's
        id (never the value). The vault host goes in the Host header, as for Get-MailOAuthSandboxVaultSecret.
    #>
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [securestring] $Value, [string] $Vault = 'mailoauth')
    $request = New-SandboxVaultRequest -Sandbox $Sandbox -Method ([System.Net.Http.HttpMethod]::Put) -Path "/secrets/$($Name)?api-version=7.6" -Vault $Vault
    $body = @{ value = [System.Net.NetworkCredential]::new('', $Value).Password } | ConvertTo-Json -Compress
    $request.Content = [System.Net.Http.StringContent]::new($body, [System.Text.Encoding]::UTF8, 'application/json')
    $response = $Sandbox.Http.SendAsync($request).GetAwaiter().GetResult()
    $text = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
    # The answer echoes the value: only its status and id leave this function.
    if (-not $response.IsSuccessStatusCode) { throw "Key Vault PUT /secrets/$Name answered $([int]$response.StatusCode)." }
    ($text | ConvertFrom-Json).id
}

function Invoke-MailOAuthSandboxGraph {
    <# A raw Graph call against the sandbox with a bearer token (to arrange directory state in tests); -Version beta for roleManagement/exchange. #>
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Token, [string] $Method = 'GET', [Parameter(Mandatory)] [string] $Path, $Body,
        [ValidateSet('v1.0', 'beta')] [string] $Version = 'v1.0')
    $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::new($Method), "/$Version/$($Path.TrimStart('/'))")
    $request.Headers.Authorization = [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Bearer', $Token)
    if ($null -ne $Body) { $request.Content = [System.Net.Http.StringContent]::new(($Body | ConvertTo-Json -Depth 10 -Compress), [System.Text.Encoding]::UTF8, 'application/json') }
    $response = $Sandbox.Http.SendAsync($request).GetAwaiter().GetResult()
    $text = $response.Content.ReadAsStringAsync().GetAwaiter().GetResult()
    if (-not $response.IsSuccessStatusCode) { throw "Graph $Method $Path failed: $([int]$response.StatusCode) $text" }
    if ($text) { $text | ConvertFrom-Json } else { $null }
}

function Get-MailOAuthSandboxDirectory { param([Parameter(Mandatory)] $Sandbox) ; Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Path '/_sandbox/directory' }
function Reset-MailOAuthSandboxDirectory { param([Parameter(Mandatory)] $Sandbox) ; [void](Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Method POST -Path '/_sandbox/reset-directory') }
function Set-MailOAuthSandboxReplication {
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [double] $LagSeconds, [Nullable[double]] $DirectoryLagSeconds, [double] $MailLagSeconds = 0, [Nullable[double]] $RemovalLagSeconds)
    $body = @{ lagSeconds = $LagSeconds; mailLagSeconds = $MailLagSeconds }
    if ($null -ne $DirectoryLagSeconds) { $body.directoryLagSeconds = $DirectoryLagSeconds }
    if ($null -ne $RemovalLagSeconds) { $body.removalLagSeconds = $RemovalLagSeconds }
    [void](Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Method POST -Path '/_sandbox/replication' -Body $body)
}

function Get-MailOAuthSandboxExchange {
    <# The Exchange RBAC state: cacheDelaySeconds, roleDefinitions, assignments (applied or not), pendingRemovals. #>
    param([Parameter(Mandatory)] $Sandbox)
    Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Path '/_sandbox/exchange'
}

function Set-MailOAuthSandboxExchange {
    <# Sets the Exchange permission cache delay (seconds) that new assignments and removals wait before sendMail honours them. #>
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [double] $CacheDelaySeconds)
    Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Method POST -Path '/_sandbox/exchange' -Body @{ cacheDelaySeconds = $CacheDelaySeconds }
}

function Invoke-MailOAuthSandboxExchangeApply {
    <# Makes every pending Exchange assignment and removal effective for sendMail now (instead of waiting for the cache delay). #>
    param([Parameter(Mandatory)] $Sandbox)
    Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Method POST -Path '/_sandbox/exchange/apply'
}

function Get-MailOAuthSandboxDirectoryWrite {
    <# Directory writes (POST/PATCH/PUT/DELETE on /v1.0 and /beta, sendMail excluded) in the request log. #>
    param([Parameter(Mandatory)] $Sandbox)
    Get-MailOAuthSandboxRequest -Sandbox $Sandbox | Where-Object { $_.kind -eq 'directory' -and $_.method -in 'POST', 'PATCH', 'PUT', 'DELETE' }
}
function Set-MailOAuthSandboxDnsRecord {
    <#
        Replaces the records of one DNS name on the sandbox's DNS server ($Sandbox.Info.dns): TXT texts
        (one per record) or one CNAME; neither removes the name. Seen by the next query (no cache).
        Example: Set-MailOAuthSandboxDnsRecord $sb -Name '_dmarc.contoso.com' -Txt 'v=DMARC1; p=none'
    #>
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Name, [string[]] $Txt, [string] $Cname)
    if ($Txt -and $Cname) { throw 'A name has TXT records or a CNAME, not both.' }
    $body = @{ txt = @($Txt | Where-Object { $null -ne $_ }); cname = if ($Cname) { $Cname } else { $null } }
    Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Method PUT -Path "/_sandbox/dns/records/$Name" -Body $body
}

function Get-MailOAuthSandboxDnsRecord {
    <# The records of one name ({name, txt, cname}), or $null when the sandbox serves none there. #>
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Name)
    $all = Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Path '/_sandbox/dns'
    @($all.records) | Where-Object { $_.name -eq $Name.TrimEnd('.').ToLowerInvariant() }
}

function Remove-MailOAuthSandboxDnsRecord {
    <# Removes every record of one name (then NXDOMAIN). #>
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [string] $Name)
    [void](Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Method DELETE -Path "/_sandbox/dns/records/$Name")
}

function Set-MailOAuthSandboxDnsAnswering {
    <# -Answering $false: the DNS server holds every query unanswered (a resolver that times out) until switched on again. #>
    param([Parameter(Mandatory)] $Sandbox, [Parameter(Mandatory)] [bool] $Answering)
    [void](Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Method POST -Path '/_sandbox/dns/answering' -Body @{ answering = $Answering })
}

function Reset-MailOAuthSandboxDns {
    <# The seeded DNS records again, answering on. #>
    param([Parameter(Mandatory)] $Sandbox)
    [void](Invoke-MailOAuthSandboxControl -Sandbox $Sandbox -Method POST -Path '/_sandbox/dns/reset')
}

Export-ModuleMember -Function *-MailOAuthSandbox*
