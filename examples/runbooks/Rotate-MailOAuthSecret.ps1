<#
.SYNOPSIS
    Azure Automation runbook: rotates every MailOAuth-managed client secret that expires within N days,
    through the reseller platform, without an outage; one summary object per app; the job fails when a
    rotation fails.

.DESCRIPTION
    Runs as the Automation account's managed identity (Connect-MailOAuth -ManagedIdentity). Reads the
    platform's API token from an Automation credential (its Password), lists the secrets of the apps
    MailOAuth manages with Get-MailOAuthSecret -ExpiringWithinDays, and for each app that is due runs
    Update-MailOAuthSecret with the platform: a new secret, proven by fresh tokens, stored on the platform
    and proven by the platform's own test, and only then the superseded secrets removed.

    An app is due when one of its client secrets expires within -ExpiringWithinDays and is MailOAuth's or
    the one the platform uses (a hand-made secret the platform no longer uses is never removed, so it would
    make the app due on every run). An app the platform does not use is Skipped: rotating it here would
    store its secret on a platform that sends with another app.

    Writes one object per due app: ClientId, AppDisplayName, OldKeyIds (the due secrets), NewKeyId,
    NewSecretExpiresOn, PlatformUpdated, ProvenBy, Status (Rotated, Failed, Skipped) and Error. The new
    secret's value is written nowhere: the platform holds it. After every summary is written, the runbook
    throws when any rotation failed, so the job ends Failed and its alert fires.

    Syntax for Windows PowerShell 5.1 and PowerShell 7.x runbooks alike (no ternary, no ?? or ?., no && or ||).

    Permissions of the managed identity (Microsoft Graph application permissions, granted as app roles;
    see examples/runbooks/README.md for the commands):
    - Application.ReadWrite.OwnedBy (when the identity owns the apps: it created them, or was added as an
      owner) or Application.ReadWrite.All (apps created by someone else): addPassword and removePassword on
      the app, and listing the managed apps (OwnedBy lists only the apps the identity owns).
    - Policy.Read.All: the pre-flight reads the tenant's app management policy, so a secret lifetime over
      its maximum fails before anything is written (without it the pre-flight is skipped with a Verbose line).

.PARAMETER TenantId
    The tenant (GUID or verified domain) whose apps are rotated.

.PARAMETER ExpiringWithinDays
    Rotate an app when one of its secrets expires within this many days (default 30).

.PARAMETER PlatformUri
    The reseller platform whose SMTP Email Settings hold the app's secret.

.PARAMETER ApiTokenCredentialName
    The name of an Automation credential whose Password is the platform's API token (the user name is not used).

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
#>
param(
    [Parameter(Mandatory = $true)]
    [ValidateNotNullOrEmpty()]
    [string] $TenantId,

    [ValidateRange(0, 3650)]
    [int] $ExpiringWithinDays = 30,

    [Parameter(Mandatory = $true)]
    [ValidateNotNullOrEmpty()]
    [string] $PlatformUri,

    [Parameter(Mandatory = $true)]
    [ValidateNotNullOrEmpty()]
    [string] $ApiTokenCredentialName,

    [string] $PlatformProfile,

    [string] $Environment,

    [string] $ManagedIdentityClientId
)

$ErrorActionPreference = 'Stop'
Import-Module MailOAuth

# The platform's API token, as a SecureString (never written, never converted to text here).
$credential = Get-AutomationPSCredential -Name $ApiTokenCredentialName
if ($null -eq $credential) { throw "The Automation credential '$ApiTokenCredentialName' was not found." }
$platform = @{ PlatformUri = $PlatformUri; ApiToken = $credential.Password }
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
        Status             = 'Skipped'
        Error              = $null
    }
    $usedByPlatform = $platformClientId -and ($platformClientId -eq $first.ClientId)
    if (-not $usedByPlatform) {
        $summary.Error = "The platform does not use this app (it sends with client ID '$platformClientId'): rotate it where its secret is used (Update-MailOAuthSecret without -PlatformUri, then store the new secret there)."
    }
    else {
        try {
            $rotated = Update-MailOAuthSecret -ClientId $first.ClientId @platform -Confirm:$false -ErrorAction Stop
            $summary.NewKeyId = $rotated.SecretKeyId
            $summary.NewSecretExpiresOn = $rotated.SecretExpiresOn
            $summary.PlatformUpdated = $rotated.PlatformUpdated
            $summary.ProvenBy = @($rotated.ProvenBy)
            $summary.Status = 'Rotated'
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
    throw "$failed of $(@($due | Group-Object -Property ClientId).Count) rotation(s) failed; every summary above names the error. The apps keep their old secrets (Update-MailOAuthSecret removes nothing before the platform holds a proven new one)."
}
