using System;
using System.Management.Automation;
using MailOAuth.Core.Diagnostics;
using MailOAuth.Core.KeyVault;

namespace MailOAuth.Infrastructure;

/// <summary>-KeyVaultUri with the optional -KeyVaultSecretName (New-MailOAuthApp, Update-MailOAuthSecret).</summary>
internal static class KeyVaultParameters
{
    /// <summary>The vault request, or null without -KeyVaultUri; -KeyVaultSecretName alone stops the command.</summary>
    public static KeyVaultRequest? Resolve(PSCmdlet cmdlet, Uri? vaultUri, string? secretName)
    {
        if (vaultUri is null && secretName is null) return null;
        if (vaultUri is null)
            cmdlet.ThrowTerminatingError(MailOAuthCmdlet.ToErrorRecord(DiagnosisCatalog.KeyVaultParameterMissing(), secretName));
        return new KeyVaultRequest { VaultUri = vaultUri!, SecretName = secretName };
    }

    /// <summary>The ShouldProcess action of the vault write.</summary>
    public static string Action(string appDisplayName, KeyVaultRequest request, string? clientId) =>
        $"Store the client secret of '{appDisplayName}' in Key Vault secret '{request.SecretName ?? KeyVaultNames.SecretNameFor(appDisplayName, clientId) ?? "MailOAuth-<client id>"}' at {request.VaultUri}";
}
