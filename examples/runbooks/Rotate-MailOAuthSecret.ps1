<#
.SYNOPSIS
    Azure Automation runbook: rotates every MailOAuth-managed client secret that expires within N days,
    through the reseller platform, without an outage; one summary object per app; the job fails when a
    rotation fails.

.DESCRIPTION
    Runs as the Automation account's managed identity (Connect-MailOAuth -ManagedIdentity). Reads the
    platform's API token from an Automation credential (its Password, -ApiTokenCredentialName) or from a Key
    Vault secret (-ApiTokenKeyVaultUri, -ApiTokenSecretName: read with the managed identity's own vault token
    from the Automation identity endpoint, no Az module needed), lists the secrets of the apps
    MailOAuth manages with Get-MailOAuthSecret -ExpiringWithinDays, and for each app that is due runs
    Update-MailOAuthSecret with the platform: a new secret, proven by fresh tokens, stored on the platform
    and proven by the platform's own test, and only then the superseded secrets removed.

    An app is due when one of its client secrets expires within -ExpiringWithinDays and is MailOAuth's or
    the one the platform uses (a hand-made secret the platform no longer uses is never removed, so it would
    make the app due on every run).

    A due app the platform does not use (it sends with another app) is never stored on the platform. With
    -KeyVaultUri it is rotated without the platform (Update-MailOAuthSecret -KeyVaultUri -KeepPrevious: the new
    value lands in the vault) and its summary says RotatedWithoutPlatform, with a Warning that the new value must
    be stored where that app is used (the vault secret's id); its old secrets are kept, because whatever uses the
    app still signs in with one of them until the new value is stored there (then remove them with
    Remove-MailOAuthSecret). A failure there (the rotation, or the vault write: then the new value would be kept
    nowhere, so that secret is removed again) counts as a failed rotation. Once rotated, the app is not rotated
    again while its newer secret is valid beyond the window: its summary says Skipped, with the same Warning.
    Without -KeyVaultUri such an app is Skipped with a Warning: this job would keep the new value nowhere.

    With -KeyVaultUri, each rotated secret is also stored in that vault (Update-MailOAuthSecret -KeyVaultUri:
    a new version, tagged ClientId, KeyId, ExpiresOn), before any old secret is removed. A vault write that
    fails is not a failed rotation: the platform already holds the proven new secret, so the summary says
    Rotated with KeyVaultStatus Failed and KeyVaultError, and a Warning names the app and the code; the
    vault keeps its previous version until the secret is stored there again (the next rotation does).

    Writes one object per due app: ClientId, AppDisplayName, OldKeyIds (the due secrets), NewKeyId,
    NewSecretExpiresOn, PlatformUpdated, ProvenBy, KeyVaultStatus (Stored, Failed, NotRequested; empty when
    not rotated), KeyVaultSecretId (the stored version's id, never its value), KeyVaultError, Status (Rotated,
    RotatedWithoutPlatform, Failed, Skipped) and Error. The new secret's value is written to no stream: the platform (and the vault,
    with -KeyVaultUri) holds it. After every summary is written, the runbook throws when any rotation failed,
    so the job ends Failed and its alert fires.

    Syntax for Windows PowerShell 5.1 and PowerShell 7.x runbooks alike (no ternary, no ?? or ?., no && or ||).

    Permissions of the managed identity (Microsoft Graph application permissions, granted as app roles;
    see examples/runbooks/README.md for the commands):
    - Application.ReadWrite.OwnedBy (when the identity owns the apps: it created them, or was added as an
      owner) or Application.ReadWrite.All (apps created by someone else): addPassword and removePassword on
      the app, and listing the managed apps (OwnedBy lists only the apps the identity owns).
    - Policy.Read.All: the pre-flight reads the tenant's app management policy, so a secret lifetime over
      its maximum fails before anything is written (without it the pre-flight is skipped with a Verbose line).
    Key Vault (Azure RBAC roles on the vault, or the secret):
    - Key Vault Secrets User on the vault (or the one secret) of -ApiTokenKeyVaultUri: reads the API token.
    - Key Vault Secrets Officer on the vault of -KeyVaultUri: writes each rotated secret.

.PARAMETER TenantId
    The tenant (GUID or verified domain) whose apps are rotated.

.PARAMETER ExpiringWithinDays
    Rotate an app when one of its secrets expires within this many days (default 30).

.PARAMETER PlatformUri
    The reseller platform whose SMTP Email Settings hold the app's secret.

.PARAMETER ApiTokenCredentialName
    The name of an Automation credential whose Password is the platform's API token (the user name is not used).

.PARAMETER ApiTokenKeyVaultUri
    Instead of an Automation credential: the vault (https://NAME.vault.azure.net) holding the platform's API
    token; read as the managed identity (Key Vault Secrets User).

.PARAMETER ApiTokenSecretName
    The name of the Key Vault secret (in -ApiTokenKeyVaultUri) whose value is the platform's API token.

.PARAMETER KeyVaultUri
    Also store each rotated client secret in this vault (https://NAME.vault.azure.net; Key Vault Secrets Officer).
    With it, a due app the platform does not use is rotated too, into the vault only (RotatedWithoutPlatform).

.PARAMETER KeyVaultSecretName
    The Key Vault secret name for a rotated secret; {ClientId} in it is replaced with the app's client ID
    (e.g. mail-{ClientId}). Without it, Update-MailOAuthSecret's default: from the app's display name, one per app.

.PARAMETER PlatformProfile
    A platform profile (name or path) for a platform whose API differs from the default contract.

.PARAMETER Environment
    The MailOAuth environment (cloud): Global (default), USGov, USGovDoD, China, or a custom one.

.PARAMETER ManagedIdentityClientId
    The client ID of a user-assigned managed identity; without it the system-assigned identity is used.

.EXAMPLE
    # In the Automation account: a schedule runs this daily with
    #   TenantId = contoso.com, PlatformUri = https://portal.example.com, ApiTokenCredentialName = PlatformApi
    ./Rotate-MailOAuthSecret.ps1 -TenantId contoso.com -PlatformUri https://portal.example.com -ApiTokenCredentialName PlatformApi

.EXAMPLE
    # The API token in Key Vault, and each rotated secret stored in Key Vault as well (one secret per app):
    ./Rotate-MailOAuthSecret.ps1 -TenantId contoso.com -PlatformUri https://portal.example.com `
        -ApiTokenKeyVaultUri https://kv-mail-ops.vault.azure.net -ApiTokenSecretName PlatformApiToken `
        -KeyVaultUri https://kv-mail-ops.vault.azure.net -KeyVaultSecretName 'mail-{ClientId}'
#>
[CmdletBinding(DefaultParameterSetName = 'Credential')]
param(
    [Parameter(Mandatory = $true)]
    [ValidateNotNullOrEmpty()]
    [string] $TenantId,

    [ValidateRange(0, 3650)]
    [int] $ExpiringWithinDays = 30,

    [Parameter(Mandatory = $true)]
    [ValidateNotNullOrEmpty()]
    [string] $PlatformUri,

    [Parameter(Mandatory = $true, ParameterSetName = 'Credential')]
    [ValidateNotNullOrEmpty()]
    [string] $ApiTokenCredentialName,

    [Parameter(Mandatory = $true, ParameterSetName = 'KeyVault')]
    [ValidateNotNullOrEmpty()]
    [uri] $ApiTokenKeyVaultUri,

    [Parameter(Mandatory = $true, ParameterSetName = 'KeyVault')]
    [ValidatePattern('^[0-9a-zA-Z-]{1,127}$')]
    [string] $ApiTokenSecretName,

    [uri] $KeyVaultUri,

    [ValidatePattern('^([0-9a-zA-Z-]|\{ClientId\})+$')]
    [string] $KeyVaultSecretName,

    [string] $PlatformProfile,

    [string] $Environment,

    [string] $ManagedIdentityClientId
)

$ErrorActionPreference = 'Stop'
Import-Module MailOAuth

# Reads a Key Vault secret's value as the managed identity, without Az modules, into a SecureString (the text is
# never written and dropped at once). The token comes from the Automation identity endpoint (IDENTITY_ENDPOINT,
# IDENTITY_HEADER: the App Service protocol), for the cloud's Key Vault resource; the secret from Key Vault's REST
# API (docs/service-behaviour.md#automation-managed-identity).
function Get-VaultSecretValue([uri] $VaultUri, [string] $SecretName, [string] $Audience, [string] $IdentityClientId) {
    if (-not $VaultUri.IsAbsoluteUri -or $VaultUri.Scheme -ne 'https') { throw "-ApiTokenKeyVaultUri must be a vault's https URI (https://NAME.vault.azure.net), not '$VaultUri'." }
    # PowerShell 7's Invoke-RestMethod (seen with 7.6) writes each request's headers (the Authorization token) and each answer's body
    # (the identity's token, the secret's value) to the Debug stream: never here, whatever the job's preference.
    $DebugPreference = 'SilentlyContinue'
    if (-not $env:IDENTITY_ENDPOINT -or -not $env:IDENTITY_HEADER) {
        throw "No managed identity endpoint (IDENTITY_ENDPOINT, IDENTITY_HEADER): enable the Automation account's managed identity to read the API token from Key Vault."
    }
    $query = 'api-version=2019-08-01&resource=' + [uri]::EscapeDataString($Audience.TrimEnd('/'))
    if ($IdentityClientId) { $query += '&client_id=' + [uri]::EscapeDataString($IdentityClientId) }
    $separator = '?'
    if ($env:IDENTITY_ENDPOINT.Contains('?')) { $separator = '&' }
    try {
        $identity = Invoke-RestMethod -Method Get -Uri ($env:IDENTITY_ENDPOINT + $separator + $query) -Headers @{ 'X-IDENTITY-HEADER' = $env:IDENTITY_HEADER } -ErrorAction Stop
    }
    catch {
        throw "The managed identity got no Key Vault token for $($Audience.TrimEnd('/')) ($(Get-HttpStatus $_)); check the Automation account's identity (and -ManagedIdentityClientId)."
    }
    $secretUri = $VaultUri.AbsoluteUri.TrimEnd('/') + '/secrets/' + [uri]::EscapeDataString($SecretName) + '?api-version=7.4'
    try {
        $bundle = Invoke-RestMethod -Method Get -Uri $secretUri -Headers @{ Authorization = 'Bearer ' + $identity.access_token } -ErrorAction Stop
    }
    catch {
        $status = Get-HttpStatus $_
        $identity = $null
        if ($status -match '^40[13]') { throw "Key Vault $VaultUri refused to let the managed identity read secret '$SecretName' ($status): give it the role Key Vault Secrets User on the vault or the secret." }
        if ($status -match '^404') { throw "Key Vault $VaultUri has no secret '$SecretName' ($status): store the platform's API token there under that name." }
        throw "Reading secret '$SecretName' from Key Vault $VaultUri failed ($status)."
    }
    $identity = $null
    if (-not $bundle.value) { $bundle = $null; throw "Key Vault secret '$SecretName' in $VaultUri is empty: store the platform's API token as its value." }
    $value = ConvertTo-SecureString -String $bundle.value -AsPlainText -Force
    $bundle = $null
    $value
}

# "403 Forbidden", "404 SecretNotFound" (the service's code, never its body), or the exception's type without an answer.
function Get-HttpStatus($ErrorRecord) {
    $response = $ErrorRecord.Exception.Response
    if ($null -eq $response) { return "no answer: $($ErrorRecord.Exception.GetType().Name)" }
    $text = [string][int]$response.StatusCode
    $code = $null
    try { $code = ($ErrorRecord.ErrorDetails.Message | ConvertFrom-Json).error.code } catch { $code = $null }
    if ($code) { $text += " $code" }
    $text
}

# The platform's API token, as a SecureString (never written, never converted to text here).
if ($PSCmdlet.ParameterSetName -eq 'KeyVault') {
    $environmentName = 'Global'
    if ($Environment) { $environmentName = $Environment }
    $audience = [string](Get-MailOAuthEnvironment -Name $environmentName).KeyVaultAudience
    if (-not $audience) { throw "The environment '$environmentName' names no Key Vault audience (Add-MailOAuthEnvironment -KeyVaultAudience)." }
    $apiToken = Get-VaultSecretValue -VaultUri $ApiTokenKeyVaultUri -SecretName $ApiTokenSecretName -Audience $audience -IdentityClientId $ManagedIdentityClientId
    Write-Verbose "Read the platform's API token from Key Vault secret '$ApiTokenSecretName' at $ApiTokenKeyVaultUri."
}
else {
    $credential = Get-AutomationPSCredential -Name $ApiTokenCredentialName
    if ($null -eq $credential) { throw "The Automation credential '$ApiTokenCredentialName' was not found." }
    $apiToken = $credential.Password
}
$platform = @{ PlatformUri = $PlatformUri; ApiToken = $apiToken }
if ($PlatformProfile) { $platform.PlatformProfile = $PlatformProfile }

$connect = @{ ManagedIdentity = $true; TenantId = $TenantId }
if ($ManagedIdentityClientId) { $connect.ClientId = $ManagedIdentityClientId }
if ($Environment) { $connect.Environment = $Environment }
$connection = Connect-MailOAuth @connect
Write-Verbose "Connected to tenant $($connection.TenantId) as the managed identity."

# The managed apps' secrets that expire soon, with InUseByPlatform from the platform's stored hint.
$due = @(Get-MailOAuthSecret -ExpiringWithinDays $ExpiringWithinDays @platform |
        Where-Object { $_.CredentialType -eq 'ClientSecret' -and ($_.ManagedByMailOAuth -or $_.InUseByPlatform -eq $true) })
$platformClientId = (Get-ResellerSmtpSetting @platform).ClientId
Write-Verbose "$($due.Count) secret(s) expire within $ExpiringWithinDays days; the platform sends with client ID '$platformClientId'."

# -KeyVaultUri: Update-MailOAuthSecret also stores each new secret in the vault; {ClientId} makes the name per app.
function Get-VaultParameter([string] $ClientId) {
    $parameters = @{}
    if ($KeyVaultUri) {
        $parameters.KeyVaultUri = $KeyVaultUri
        if ($KeyVaultSecretName) { $parameters.KeyVaultSecretName = $KeyVaultSecretName.Replace('{ClientId}', $ClientId) }
    }
    $parameters
}

# The new secret's key ID and expiry, its proof and its Key Vault copy, from Update-MailOAuthSecret's result (never its value).
function Set-RotationSummary($Summary, $Rotated) {
    $Summary.NewKeyId = $Rotated.SecretKeyId
    $Summary.NewSecretExpiresOn = $Rotated.SecretExpiresOn
    $Summary.ProvenBy = @($Rotated.ProvenBy)
    $Summary.KeyVaultStatus = $Rotated.KeyVaultStatus
    $Summary.KeyVaultSecretId = $Rotated.KeyVaultSecretId
    $Summary.KeyVaultError = $Rotated.KeyVaultError
}

$failed = 0
foreach ($app in @($due | Group-Object -Property ClientId)) {
    $first = $app.Group[0]
    $summary = [ordered]@{
        ClientId           = $first.ClientId
        AppDisplayName     = $first.AppDisplayName
        OldKeyIds          = @($app.Group | ForEach-Object { $_.KeyId })
        NewKeyId           = $null
        NewSecretExpiresOn = $null
        PlatformUpdated    = $false
        ProvenBy           = @()
        KeyVaultStatus     = $null
        KeyVaultSecretId   = $null
        KeyVaultError      = $null
        Status             = 'Skipped'
        Error              = $null
    }
    $usedByPlatform = $platformClientId -and ($platformClientId -eq $first.ClientId)
    if (-not $usedByPlatform) {
        # Never stored on the platform, which sends with another app. Rotated into the vault only, keeping the old secrets:
        # whatever uses this app signs in with one of them until the new value is stored there.
        $elsewhere = "The platform does not use app $($first.ClientId) ('$($first.AppDisplayName)'; it sends with client ID '$platformClientId')"
        $newer = @(Get-MailOAuthSecret -ClientId $first.ClientId |
                Where-Object { $_.CredentialType -eq 'ClientSecret' -and $_.ManagedByMailOAuth -and $_.ExpiresOn -gt [DateTimeOffset]::UtcNow.AddDays($ExpiringWithinDays) } |
                Sort-Object -Property ExpiresOn -Descending)
        if ($newer.Count -gt 0) {
            $summary.Error = "$elsewhere; an earlier rotation made its newer secret $($newer[0].KeyId) (expires $($newer[0].ExpiresOn.ToString('u'))), so it is not rotated again."
            Write-Warning "$($summary.Error) Store that secret's value where the app is used, then remove the old secret(s) $($summary.OldKeyIds -join ', ') with Remove-MailOAuthSecret before they expire."
        }
        elseif (-not $KeyVaultUri) {
            $summary.Error = "$elsewhere, and no -KeyVaultUri was given: rotating it here would keep the new value nowhere. Rotate it where its secret is used (Update-MailOAuthSecret -ClientId $($first.ClientId)), or give -KeyVaultUri."
            Write-Warning "$($summary.Error) Its secret(s) $($summary.OldKeyIds -join ', ') expire within $ExpiringWithinDays days."
        }
        else {
            $vault = Get-VaultParameter $first.ClientId
            try {
                $rotated = Update-MailOAuthSecret -ClientId $first.ClientId -KeepPrevious @vault -Confirm:$false -ErrorAction Stop
                Set-RotationSummary $summary $rotated
                $rotated.ClientSecret.Dispose() # the vault holds the value (or nothing does: then the secret goes again, below)
                if ($rotated.KeyVaultStatus -ne 'Stored') {
                    $failed++
                    $summary.Status = 'Failed'
                    $summary.Error = "$($elsewhere): it was rotated without the platform, but Key Vault $KeyVaultUri did not store the new secret $($rotated.SecretKeyId) ($($rotated.KeyVaultError)), so its value is kept nowhere"
                    try {
                        Remove-MailOAuthSecret -ClientId $first.ClientId -KeyId $rotated.SecretKeyId -Confirm:$false -ErrorAction Stop
                        $summary.Error += '; that secret was removed again. The old secret(s) were kept.'
                    }
                    catch {
                        $summary.Error += "; removing that secret failed too ($($_.FullyQualifiedErrorId)): remove it with Remove-MailOAuthSecret. The old secret(s) were kept."
                    }
                }
                else {
                    $summary.Status = 'RotatedWithoutPlatform'
                    Write-Warning "$elsewhere, so it was rotated without the platform: store the new secret $($rotated.SecretKeyId) (in Key Vault: $($rotated.KeyVaultSecretId)) where this app is used, then remove the old secret(s) $($summary.OldKeyIds -join ', ') with Remove-MailOAuthSecret; they were kept so that nothing using them stops now."
                }
                $rotated = $null
            }
            catch {
                $failed++
                $summary.Status = 'Failed'
                $summary.Error = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)"
            }
        }
    }
    else {
        $vault = Get-VaultParameter $first.ClientId
        try {
            $rotated = Update-MailOAuthSecret -ClientId $first.ClientId @platform @vault -Confirm:$false -ErrorAction Stop
            Set-RotationSummary $summary $rotated
            $summary.PlatformUpdated = $rotated.PlatformUpdated
            $summary.Status = 'Rotated'
            if ($rotated.KeyVaultStatus -eq 'Failed') {
                # Not a failed rotation: the platform holds the proven new secret; only the vault copy is missing.
                Write-Warning "App $($first.ClientId) was rotated and the platform holds the new secret $($rotated.SecretKeyId), but Key Vault $KeyVaultUri did not store it ($($rotated.KeyVaultError)); the vault keeps its previous version until a rotation stores one."
            }
            $rotated.ClientSecret.Dispose() # the platform holds the value; this job keeps no copy
            $rotated = $null
        }
        catch {
            $failed++
            $summary.Status = 'Failed'
            $summary.Error = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)"
        }
    }
    [pscustomobject]$summary
}

if ($failed -gt 0) {
    throw "$failed of $(@($due | Group-Object -Property ClientId).Count) rotation(s) failed; every summary above names the error. The apps keep their old secrets (Update-MailOAuthSecret removes nothing before the platform holds a proven new one; an app the platform does not use keeps them all)."
}
