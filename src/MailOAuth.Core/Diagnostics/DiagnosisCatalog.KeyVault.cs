using System;
using MailOAuth.Core.Cloud;

namespace MailOAuth.Core.Diagnostics;

public static partial class DiagnosisCatalog
{
    private const string ValueKept = "The new client secret is not lost: it is in this command's output (ClientSecret, a SecureString).";

    /// <summary>-KeyVaultUri is not a vault of the connection's cloud (or not a vault URI at all): checked before anything is written.</summary>
    public static Diagnosis KeyVaultUriInvalid(Uri? uri, string problem, CloudEnvironment environment) => new(
        DiagnosisCode.KeyVaultUriInvalid,
        $"-KeyVaultUri cannot be used: {problem.TrimEnd('.')}.",
        environment.KeyVaultSuffix is { } suffix
            ? $"Give the vault's URI as its Overview shows it ('Vault URI'), https://NAME.{suffix} for the {environment.Name} cloud; a vault of another cloud needs a connection to that cloud (Connect-MailOAuth -Environment)."
            : $"Add the environment again with its vaults' DNS suffix (Add-MailOAuthEnvironment -Name {environment.Name} … -KeyVaultSuffix), or leave -KeyVaultUri out.");

    /// <summary>-KeyVaultSecretName was given without -KeyVaultUri (New-MailOAuthApp, Update-MailOAuthSecret): stops the command before anything is written.</summary>
    public static Diagnosis KeyVaultParameterMissing() => new(
        DiagnosisCode.KeyVaultParameterMissing,
        "-KeyVaultSecretName needs -KeyVaultUri: the vault to store the secret in. Nothing was changed.",
        "Give -KeyVaultUri https://NAME.vault.azure.net as well, or leave -KeyVaultSecretName out.");

    /// <summary>The vault answered as if it were not a vault of this cloud (its authentication challenge names another resource).</summary>
    public static Diagnosis KeyVaultChallengeMismatch(Uri vault, CloudEnvironment environment) => new(
        DiagnosisCode.KeyVaultUriInvalid,
        $"{vault.GetLeftPart(UriPartial.Authority)} did not answer as a Key Vault of the {environment.Name} cloud: its authentication challenge asks for a token of another resource than {environment.KeyVaultAudience}, so no token was sent to it. " + ValueKept,
        "Check -KeyVaultUri (the vault's Overview shows its 'Vault URI'); a private cloud's vaults need Add-MailOAuthEnvironment -KeyVaultSuffix and -KeyVaultAudience.");

    /// <summary>403 (or a token the vault refuses): the connection's identity may not set secrets in the vault.</summary>
    public static Diagnosis KeyVaultAccessDenied(Uri vault, string secretName, string? identity, int status, string? serviceCode) => new(
        DiagnosisCode.KeyVaultAccessDenied,
        $"Key Vault {vault.GetLeftPart(UriPartial.Authority)} refused to store secret '{secretName}'"
        + (status == 401 ? " with the connection's token" : $": the connection's identity{(identity is null ? "" : $" ({identity})")} may not set secrets in it") + ". " + ValueKept,
        $"Give {(identity is null ? "the identity used with Connect-MailOAuth" : identity)} the Azure RBAC role 'Key Vault Secrets Officer' on the vault (or on the secret), or — on a vault that uses access policies — an access policy with the secret permission 'Set'; then store the value from the output (Set-AzKeyVaultSecret) or run the command again. Role assignments can take a few minutes to apply.")
    {
        HttpStatus = status,
        ServiceCode = serviceCode,
    };

    /// <summary>The vault's tenant (from its challenge) is not the connection's.</summary>
    public static Diagnosis KeyVaultOtherTenant(Uri vault, string vaultTenant, string connectionTenant) => new(
        DiagnosisCode.KeyVaultAccessDenied,
        $"Key Vault {vault.GetLeftPart(UriPartial.Authority)} belongs to tenant {vaultTenant}, and the connection is to tenant {connectionTenant}: its tokens are not valid there, so none was requested. " + ValueKept,
        "Use a vault of the connected tenant, or connect to the vault's tenant (Connect-MailOAuth -TenantId) with an identity that may set secrets in it.");

    /// <summary>-AccessToken connections hold one Graph token and nothing that could get a Key Vault token.</summary>
    public static Diagnosis KeyVaultCredentialUnavailable(Uri vault) => new(
        DiagnosisCode.KeyVaultCredentialUnavailable,
        $"The secret could not be stored in Key Vault {vault.GetLeftPart(UriPartial.Authority)}: the connection was made with -AccessToken, which holds a Microsoft Graph token only, and a vault accepts only a token issued for Key Vault. Nothing was sent to the vault. " + ValueKept,
        "Connect with a method that can get tokens for other resources (-ManagedIdentity, -ClientId with -ClientSecret/-CertificatePath/-FederatedToken, or interactively), or store the value from the output yourself: Set-AzKeyVaultSecret -VaultName NAME -Name NAME -SecretValue $app.ClientSecret.");

    /// <summary>The vault does not exist (its name does not resolve, or the service answered 404).</summary>
    public static Diagnosis KeyVaultNotFound(Uri vault, bool nameUnresolved, int status, string? serviceCode) => new(
        DiagnosisCode.KeyVaultNotFound,
        (nameUnresolved
            ? $"The vault {vault.Host} does not exist: its name does not resolve in DNS."
            : $"Key Vault {vault.GetLeftPart(UriPartial.Authority)} answered that there is no such vault.") + " " + ValueKept,
        "Check the vault name in -KeyVaultUri (Get-AzKeyVault lists the subscription's vaults with their VaultUri); a vault deleted recently can be recovered (Undo-AzKeyVaultRemoval). A private-endpoint vault must be resolvable from this machine.")
    {
        HttpStatus = status,
        ServiceCode = serviceCode,
    };

    /// <summary>400 (a name or value the vault refuses) or 409 (the secret name is held by a deleted, recoverable secret).</summary>
    public static Diagnosis KeyVaultRejected(Uri vault, string secretName, int status, string? serviceCode) => new(
        DiagnosisCode.KeyVaultRejected,
        (status == 409
            ? $"Key Vault {vault.GetLeftPart(UriPartial.Authority)} refused secret '{secretName}': a deleted secret of that name is still held (soft delete) and blocks the name."
            : $"Key Vault {vault.GetLeftPart(UriPartial.Authority)} refused secret '{secretName}' ({serviceCode ?? "HTTP " + status}): a secret name must be 1–127 letters, digits and hyphens, and a value at most 25 KB.") + " " + ValueKept,
        status == 409
            ? "Recover the deleted secret (Undo-AzKeyVaultSecretRemoval) and run the command again, purge it (Remove-AzKeyVaultSecret -InRemovedState), or choose another -KeyVaultSecretName."
            : "Give -KeyVaultSecretName a name of letters, digits and hyphens, then store the value from the output (Set-AzKeyVaultSecret) or run the command again.")
    {
        HttpStatus = status,
        ServiceCode = serviceCode,
    };

    /// <summary>429 or 5xx from the vault after MailOAuth's retries.</summary>
    public static Diagnosis KeyVaultUnavailable(Uri vault, int status, string? serviceCode, RetrySummary? retries)
    {
        var transient = Transient(status == 429 ? DiagnosisCode.Throttled : DiagnosisCode.ServiceUnavailable,
            $"Key Vault {vault.GetLeftPart(UriPartial.Authority)} {(status == 429 ? "throttled" : "was unavailable for")} the request", retries);
        return new Diagnosis(transient.Code, transient.Cause + " " + ValueKept,
            "Store the value from the output (Set-AzKeyVaultSecret) or run the command again in a few minutes.")
        {
            HttpStatus = status,
            ServiceCode = serviceCode,
            Retries = retries?.Count ?? 0,
            RetryWait = retries?.TotalWait ?? TimeSpan.Zero,
        };
    }
}
