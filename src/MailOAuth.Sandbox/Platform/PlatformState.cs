using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using Microsoft.AspNetCore.DataProtection;

namespace MailOAuth.Sandbox.Platform;

/// <summary>
/// The stored SMTP Email Settings. The client secret exists here only as an ASP.NET Core Data
/// Protection payload (<see cref="PlatformState.SecretPurpose"/>) and its three-character hint.
/// </summary>
public sealed record PlatformSettings(
    string TenantId,
    string ClientId,
    string SenderAddress,
    string ProtectedSecret,
    string SecretHint,
    DateTimeOffset UpdatedAt);

/// <summary>One rejected field (<c>field</c> null: the request as a whole).</summary>
public sealed record PlatformFieldError(string? Field, string Message);

/// <summary>What went wrong in a test email, in the service's own words.</summary>
/// <param name="Stage">
/// <c>config</c> (not configured), <c>token</c> (Entra refused), <c>graph</c> (sendMail refused) or
/// <c>network</c> (no answer); the admin page chooses its banner text by it.
/// </param>
public sealed record PlatformTestError(string Stage, string Code, string Message);

/// <summary>The outcome of the last test email.</summary>
public sealed record PlatformTestResult(DateTimeOffset Time, string To, string? MessageId, PlatformTestError? Error)
{
    public bool Delivered => Error is null;
}

/// <summary>The last rejected save, with what was typed (never the secret) so the admin page can show it again.</summary>
public sealed record PlatformSaveError(
    DateTimeOffset Time,
    IReadOnlyList<PlatformFieldError> Errors,
    string? TenantId,
    string? ClientId,
    string? SenderAddress);

/// <summary>The most recent event, for the admin page's banner.</summary>
public enum PlatformEvent
{
    None,
    Saved,
    SaveFailed,
    TestDelivered,
    TestFailed,
}

/// <summary>
/// The reference reseller platform's state: API tokens, the SMTP settings (secret encrypted at
/// rest with Data Protection), the last test result and the last save error. Thread-safe.
/// </summary>
public sealed class PlatformState : IDisposable
{
    /// <summary>The Data Protection purpose string of the stored client secret.</summary>
    public const string SecretPurpose = "MailOAuth.Sandbox.Platform.SmtpSecret";

    /// <summary>The Data Protection application name (the key ring's discriminator).</summary>
    public const string DataProtectionApplicationName = "MailOAuth.Sandbox";

    /// <summary>The folder under the state directory that holds the Data Protection key ring.</summary>
    public const string KeyDirectoryName = "data-protection-keys";

    /// <summary>The file under the state directory that mirrors the stored settings (secret protected).</summary>
    public const string SettingsFileName = "platform-smtp-settings.json";

    private const string TokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private readonly Lock _gate = new();
    private readonly ServiceProvider _services;
    private readonly IDataProtector _protector;
    private readonly TimeProvider _clock;
    private PlatformSettings? _settings;
    private PlatformTestResult? _lastTest;
    private PlatformSaveError? _lastSaveError;
    private DateTimeOffset? _lastSavedAt;
    private PlatformEvent _lastEvent;

    /// <summary>
    /// The platform's own Data Protection (key ring under <paramref name="stateDirectory"/>), as a
    /// real platform would configure it; owned and disposed here.
    /// </summary>
    public PlatformState(string stateDirectory, TimeProvider clock, PlatformMailer mailer)
    {
        var services = new ServiceCollection();
        services.AddDataProtection()
            .SetApplicationName(DataProtectionApplicationName)
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(stateDirectory, KeyDirectoryName)));
        _services = services.BuildServiceProvider();
        _protector = _services.GetRequiredService<IDataProtectionProvider>().CreateProtector(SecretPurpose);
        _clock = clock;
        StateDirectory = stateDirectory;
        SettingsPath = Path.Combine(stateDirectory, SettingsFileName);
        KeyDirectory = Path.Combine(stateDirectory, KeyDirectoryName);
        ApiToken = "rsp_" + RandomNumberGenerator.GetString(TokenAlphabet, 40);
        ReadOnlyApiToken = "rsp_" + RandomNumberGenerator.GetString(TokenAlphabet, 40);
        Mailer = mailer;

        // The platform starts empty every time, like the directory; a mirror left by an earlier
        // run with the same state directory would describe settings nobody stored.
        File.Delete(SettingsPath);

        // Materialise the key ring now, so that it is on disk from the start.
        _ = _protector.Unprotect(_protector.Protect("key ring check"));
    }

    public string StateDirectory { get; }

    public string SettingsPath { get; }

    public string KeyDirectory { get; }

    public string ApiToken { get; }

    public string ReadOnlyApiToken { get; }

    /// <summary>Sends test emails through the sandbox's own token endpoint and sendMail.</summary>
    public PlatformMailer Mailer { get; }

    public PlatformSettings? Settings
    {
        get { lock (_gate) { return _settings; } }
    }

    public PlatformTestResult? LastTest
    {
        get { lock (_gate) { return _lastTest; } }
    }

    public PlatformSaveError? LastSaveError
    {
        get { lock (_gate) { return _lastSaveError; } }
    }

    /// <summary>What the admin page's banner reports, with its data, read together.</summary>
    public (PlatformEvent Event, DateTimeOffset? SavedAt, PlatformSaveError? SaveError, PlatformTestResult? Test) Banner
    {
        get { lock (_gate) { return (_lastEvent, _lastSavedAt, _lastSaveError, _lastTest); } }
    }

    /// <summary>Which token this is: full rights, read-only, or none (constant-time comparison).</summary>
    public PlatformAccess Authorize(string? presented)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return PlatformAccess.None;
        }

        var bytes = Encoding.UTF8.GetBytes(presented);
        if (CryptographicOperations.FixedTimeEquals(bytes, Encoding.UTF8.GetBytes(ApiToken)))
        {
            return PlatformAccess.ReadWrite;
        }

        return CryptographicOperations.FixedTimeEquals(bytes, Encoding.UTF8.GetBytes(ReadOnlyApiToken))
            ? PlatformAccess.ReadOnly
            : PlatformAccess.None;
    }

    /// <summary>
    /// Stores validated settings. <paramref name="clientSecret"/> null keeps the current secret
    /// (the admin page's blank password field); null when there is none to keep (nothing changes).
    /// </summary>
    public PlatformSettings? Save(string tenantId, string clientId, string? clientSecret, string senderAddress)
    {
        lock (_gate)
        {
            if (clientSecret is null && _settings is null)
            {
                return null;
            }

            var now = _clock.GetUtcNow();
            var (protectedSecret, hint) = clientSecret is null
                ? (_settings!.ProtectedSecret, _settings.SecretHint)
                : (_protector.Protect(clientSecret), Hint(clientSecret));
            var settings = new PlatformSettings(tenantId, clientId, senderAddress, protectedSecret, hint, now);
            WriteMirror(settings);
            _settings = settings;
            _lastSaveError = null;
            _lastSavedAt = now;
            _lastEvent = PlatformEvent.Saved;
            return settings;
        }
    }

    /// <summary>Remembers a rejected save (settings unchanged).</summary>
    public void RecordSaveError(IReadOnlyList<PlatformFieldError> errors, string? tenantId, string? clientId, string? senderAddress)
    {
        lock (_gate)
        {
            _lastSaveError = new PlatformSaveError(_clock.GetUtcNow(), errors, tenantId, clientId, senderAddress);
            _lastEvent = PlatformEvent.SaveFailed;
        }
    }

    public void RecordTest(PlatformTestResult result)
    {
        lock (_gate)
        {
            _lastTest = result;
            _lastEvent = result.Delivered ? PlatformEvent.TestDelivered : PlatformEvent.TestFailed;
        }
    }

    /// <summary>The stored secret in clear, for the test email only. Never returned or logged.</summary>
    internal string UnprotectSecret(PlatformSettings settings) => _protector.Unprotect(settings.ProtectedSecret);

    /// <summary><c>POST /_sandbox/reset-platform</c>: nothing configured, no last results (tokens and keys stay).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _settings = null;
            _lastTest = null;
            _lastSaveError = null;
            _lastSavedAt = null;
            _lastEvent = PlatformEvent.None;
            File.Delete(SettingsPath);
        }
    }

    public DateTimeOffset Now => _clock.GetUtcNow();

    /// <summary>UTC, ISO 8601 with milliseconds and a Z.</summary>
    public static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The first three characters, as Entra's own <c>hint</c>; empty for a secret of six characters
    /// or fewer, whose first three would give too much of it away.
    /// </summary>
    private static string Hint(string secret) => secret.Length > 6 ? secret[..3] : "";

    /// <summary>The settings file: the stored view plus the protected payload; never the secret.</summary>
    private void WriteMirror(PlatformSettings settings)
    {
        var json = SandboxJson.Serialize(new JsonObject
        {
            ["provider"] = PlatformProfile.ProviderName,
            ["tenantId"] = settings.TenantId,
            ["clientId"] = settings.ClientId,
            ["senderAddress"] = settings.SenderAddress,
            ["clientSecretHint"] = settings.SecretHint,
            ["clientSecretProtected"] = settings.ProtectedSecret,
            ["dataProtectionPurpose"] = SecretPurpose,
            ["updatedAt"] = Time(settings.UpdatedAt),
        });
        var temporary = SettingsPath + ".tmp";
        File.WriteAllText(temporary, json);
        File.Move(temporary, SettingsPath, overwrite: true);
    }

    public void Dispose()
    {
        Mailer.Dispose();
        _services.Dispose();
    }
}

/// <summary>What an API token may do.</summary>
public enum PlatformAccess
{
    None,
    ReadOnly,
    ReadWrite,
}
