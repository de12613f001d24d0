using System;
using System.Management.Automation;
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
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(new ArgumentException("-KeyVaultSecretName needs -KeyVaultUri: the vault to store the secret in."),
                "KeyVaultParameterMissing", ErrorCategory.InvalidArgument, secretName)
            {
                ErrorDetails = new ErrorDetails("-KeyVaultSecretName needs -KeyVaultUri: the vault to store the secret in.")
                {
                    RecommendedAction = "Give -KeyVaultUri https://NAME.vault.azure.net as well, or leave -KeyVaultSecretName out.",
                },
            });
        }
        return new KeyVaultRequest { VaultUri = vaultUri!, SecretName = secretName };
    }

    /// <summary>The ShouldProcess action of the vault write.</summary>
    public static string Action(string appDisplayName, KeyVaultRequest request, string? clientId) =>
        $"Store the client secret of '{appDisplayName}' in Key Vault secret '{request.SecretName ?? KeyVaultNames.SecretNameFor(appDisplayName, clientId) ?? "MailOAuth-<client id>"}' at {request.VaultUri}";
}
