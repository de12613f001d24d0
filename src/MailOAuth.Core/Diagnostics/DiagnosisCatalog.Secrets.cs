namespace MailOAuth.Core.Diagnostics;

public static partial class DiagnosisCatalog
{
    /// <summary>Remove-MailOAuthSecret was pointed at the secret the platform uses (or one it cannot be told apart from).</summary>
    public static Diagnosis SecretInUse(string clientId, string keyId, string? hint, string platform, bool ambiguous) => new(
        DiagnosisCode.SecretInUse,
        ambiguous
            ? $"Secret {keyId} ({hint}…) of app {clientId} cannot be told apart from the secret the platform {platform} uses (another secret of the app has the same hint), so it was not removed."
            : $"Secret {keyId} ({hint}…) of app {clientId} is the secret the platform {platform} uses, so it was not removed: removing it would stop the platform's e-mail.",
        "Rotate first (Update-MailOAuthSecret with -PlatformUri stores a new, proven secret on the platform and then removes this one), or point the platform at another secret.");

    /// <summary>The app has no client secret with that key id.</summary>
    public static Diagnosis SecretNotFound(string clientId, string keyId) => new(
        DiagnosisCode.SecretNotFound,
        $"Application {clientId} has no client secret with key id {keyId}.",
        "Get-MailOAuthSecret -ClientId lists the app's secrets with their key ids (a secret removed moments ago is already gone).");

    /// <summary>A rotation with a platform that holds another app's settings, or none and no sender to store.</summary>
    public static Diagnosis PlatformAppMismatch(string clientId, string platform, string? platformClientId) => new(
        DiagnosisCode.PlatformAppMismatch,
        platformClientId is null
            ? $"The platform {platform} holds no SMTP settings, and no -SenderAddress was given to store with the new secret of app {clientId}; nothing was written."
            : $"The platform {platform} holds the settings of another app (client ID {platformClientId}), not of app {clientId}; rotating would switch the platform to another app, so nothing was written.",
        platformClientId is null
            ? "Give -SenderAddress (the mailbox the platform sends as), or configure the platform first with Set-ResellerSmtpSetting."
            : "Rotate the app the platform uses (Get-ResellerSmtpSetting shows its client ID), or switch the platform on purpose with Set-ResellerSmtpSetting.");
}
