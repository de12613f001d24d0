using System;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Core.KeyVault;

/// <summary>Where -KeyVaultUri asks for the new client secret to be stored.</summary>
public sealed class KeyVaultRequest
{
    /// <summary>The vault, https://NAME.vault.azure.net (validated against the connection's cloud before anything is written).</summary>
    public Uri VaultUri { get; init; } = null!;

    /// <summary>The Key Vault secret's name; null: derived from the app's display name (<see cref="KeyVaultNames.SecretNameFor"/>).</summary>
    public string? SecretName { get; init; }
}

/// <summary>Stored, Failed or NotRequested: what happened to the vault copy of a new client secret.</summary>
public static class KeyVaultStatus
{
    public const string Stored = "Stored";
    public const string Failed = "Failed";
    public const string NotRequested = "NotRequested";
}

/// <summary>The vault write's outcome: never the value, only where it went (or why it did not).</summary>
public sealed class KeyVaultOutcome
{
    public static readonly KeyVaultOutcome NotRequested = new() { Status = KeyVaultStatus.NotRequested };

    /// <summary><see cref="KeyVaultStatus"/>.</summary>
    public string Status { get; init; } = KeyVaultStatus.NotRequested;

    /// <summary>The versioned id of the stored secret (https://NAME.vault.azure.net/secrets/NAME/VERSION): no value.</summary>
    public Uri? SecretId { get; init; }

    public string? SecretName { get; init; }

    /// <summary>Why the write failed; null unless <see cref="Status"/> is Failed.</summary>
    public Diagnosis? Diagnosis { get; init; }

    /// <summary>The diagnosis code as text (KeyVaultAccessDenied, …), or null.</summary>
    public string? ErrorCode => Diagnosis?.Code.ToString();
}
