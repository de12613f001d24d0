using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using MailOAuth.Core.Auth;
using MailOAuth.Core.Diagnostics;

namespace MailOAuth.Core.Platform;

/// <summary>
/// The reseller platform's SMTP-settings API (docs/design.md#platform-contract, or a profile):
/// HttpClient + System.Text.Json over the module's HTTP stack (so 429/503 retry like everything else),
/// HTTPS only (plain HTTP only to loopback), the API token only in its header, errors mapped once.
/// </summary>
public sealed class PlatformClient
{
    private readonly MailOAuthSession _session;

    public PlatformClient(MailOAuthSession session) => _session = session;

    /// <summary>Refuses a platform URI that would send the API token or a secret in clear text.</summary>
    public static void RequireSecureUri(Uri uri)
    {
        if (!uri.IsAbsoluteUri) throw new ArgumentException($"'{uri}' is not an absolute URI.");
        // Credentials in a URI would be printed wherever the URI is (Verbose, output, errors): refused.
        if (!string.IsNullOrEmpty(uri.UserInfo))
            throw new ArgumentException($"'{Cloud.CloudEnvironment.WithoutUserInfo(uri)}' must not carry a user name or password (the part before '@'): the platform is authenticated with -ApiToken only.");
        if (uri.Scheme == Uri.UriSchemeHttps) return;
        if (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || IPAddress.TryParse(uri.Host, out var ip) && IPAddress.IsLoopback(ip))) return;
        throw new ArgumentException($"'{uri}' must use https: the API token and the client secret never travel in clear text (plain http is allowed only to this machine's loopback address).");
    }

    public Task<SmtpSettingsView> GetAsync(PlatformTarget target, CancellationToken ct)
    {
        RequireSecureUri(target.PlatformUri); // a caller's broken precondition stays an argument error
        return Explained.RunAsync("read the platform's SMTP settings", target.PlatformUri, () => GetCoreAsync(target, ct), ct, isPlatform: true);
    }

    private async Task<SmtpSettingsView> GetCoreAsync(PlatformTarget target, CancellationToken ct)
    {
        var (status, body) = await SendAsync(target, target.Profile.GetMethod, target.Profile.SettingsPath, null, ct).ConfigureAwait(false);
        EnsureSuccess(target, status, body, target.Profile.SettingsPath, PlatformCall.Read);
        return ReadView(target.Profile, body);
    }

    /// <summary>
    /// Stores the settings. A rejected save changes nothing on the platform (contract); the error then
    /// says what the platform still holds.
    /// </summary>
    public Task<SmtpSettingsView> SetAsync(PlatformTarget target, SmtpSettingsInput input, CancellationToken ct)
    {
        RequireSecureUri(target.PlatformUri); // a caller's broken precondition stays an argument error
        return Explained.RunAsync("store the platform's SMTP settings", target.PlatformUri, () => SetCoreAsync(target, input, ct), ct, isPlatform: true);
    }

    private async Task<SmtpSettingsView> SetCoreAsync(PlatformTarget target, SmtpSettingsInput input, CancellationToken ct)
    {
        var p = target.Profile;
        var payload = new JsonObject
        {
            [p.Field("provider")] = p.ProviderValue,
            [p.Field("tenantId")] = input.TenantId,
            [p.Field("clientId")] = input.ClientId,
            [p.Field("clientSecret")] = SecretText.Reveal(input.ClientSecret),
            [p.Field("senderAddress")] = input.SenderAddress,
        };
        OperationContext.CurrentReporter.Verbose($"Storing tenant {input.TenantId}, client {input.ClientId} and sender {input.SenderAddress} in the platform's SMTP Email Settings ({target.PlatformUri}).");
        var sentHint = Hint(payload[p.Field("clientSecret")]?.GetValue<string>());
        var (status, body) = await SendAsync(target, p.SetMethod, p.SettingsPath, payload, ct).ConfigureAwait(false);
        payload = null; // the request body (with the secret) is not kept
        try
        {
            EnsureSuccess(target, status, body, p.SettingsPath, PlatformCall.Save);
        }
        catch (MailOAuthException ex)
        {
            throw new MailOAuthException(ex.Diagnosis.WithNote(await DescribeKeptSettingsAsync(target, input.ClientId, sentHint, ct).ConfigureAwait(false)), ex);
        }
        return ReadView(p, body);
    }

    /// <summary>Triggers the platform's own test e-mail and reads its verdict.</summary>
    /// <param name="provisionedAt">When the app's secret/grant was made, if known: a recent grant that the
    /// platform's test reports as access denied is waited for (Exchange honours it late, docs/service-behaviour.md#replication).</param>
    /// <param name="target">The platform, its API token and its profile.</param>
    /// <param name="to">The recipients, one platform test each.</param>
    /// <param name="propagationBudget">How long to wait for a new grant to reach Exchange (null: the default).</param>
    /// <param name="ct">Cancels the test and any wait.</param>
    public Task<PlatformTestOutcome> TestAsync(PlatformTarget target, IReadOnlyList<string> to, DateTimeOffset? provisionedAt,
        TimeSpan? propagationBudget, CancellationToken ct)
    {
        RequireSecureUri(target.PlatformUri); // a caller's broken precondition stays an argument error
        return Explained.RunAsync("run the platform's test e-mail", target.PlatformUri, () => TestCoreAsync(target, to, provisionedAt, propagationBudget, ct), ct, isPlatform: true);
    }

    private async Task<PlatformTestOutcome> TestCoreAsync(PlatformTarget target, IReadOnlyList<string> to, DateTimeOffset? provisionedAt,
        TimeSpan? propagationBudget, CancellationToken ct)
    {
        var waiter = new Entra.ReplicationWaiter(propagationBudget, _session.TimeProvider);
        var grantIsNew = Entra.ReplicationWaiter.IsRecent(provisionedAt, _session.TimeProvider);
        string? lastId = null;
        var delivered = new List<string>();
        foreach (var recipient in to)
        {
            try
            {
                lastId = await waiter.UntilAsync($"Exchange Online honouring the new Mail.Send grant (platform test to {recipient})", grantIsNew,
                    c => TestOnceAsync(target, recipient, c),
                    ex => ex is MailOAuthException { Code: DiagnosisCode.MailSendPermissionMissing }, ct).ConfigureAwait(false);
                delivered.Add(recipient);
            }
            catch (MailOAuthException ex) when (ex.Code == DiagnosisCode.ReplicationTimeout && ex.InnerException is MailOAuthException denied)
            {
                var note = $"The grant is new: the platform's test was still refused after {waiter.Waited.TotalSeconds:0} s; a new grant can take several minutes to reach Exchange.";
                if (delivered.Count > 0) note += $" The test e-mail was already delivered to {string.Join(", ", delivered)}.";
                throw new MailOAuthException(denied.Diagnosis.WithNote(note), denied);
            }
            catch (MailOAuthException ex) when (delivered.Count > 0)
            {
                throw new MailOAuthException(ex.Diagnosis.WithNote($"The test e-mail was already delivered to {string.Join(", ", delivered)}; it failed for {recipient}."), ex);
            }
        }
        return new PlatformTestOutcome { Delivered = true, MessageId = lastId, To = to.ToList() };
    }

    /// <summary>One platform test to one recipient: the message id, or an explained failure.</summary>
    private async Task<string?> TestOnceAsync(PlatformTarget target, string recipient, CancellationToken ct)
    {
        var p = target.Profile;
        var (status, body) = await SendAsync(target, p.TestMethod, p.TestPath, new JsonObject { [p.TestToField] = recipient }, ct).ConfigureAwait(false);
        EnsureSuccess(target, status, body, p.TestPath, PlatformCall.Test);
        var root = Parse(body);
        if (Read(root, p.DeliveredField) is JsonValue v && v.TryGetValue<bool>(out var ok) && ok)
            return Read(root, p.MessageIdField)?.ToString();
        var code = p.ErrorCodeField is null ? null : Read(root, p.ErrorCodeField)?.ToString();
        var message = Read(root, p.ErrorMessageField)?.ToString() ?? "(the platform gave no message)";
        var view = await TryGetAsync(target, ct).ConfigureAwait(false);
        if (view is not null && view.ClientId is null)
            throw new MailOAuthException(DiagnosisCatalog.PlatformTestWithoutSettings(message));
        var failure = new MailOAuthException(DiagnosisCatalog.PlatformTestFailed(code, message, new DiagnosisContext
        {
            TenantId = view?.TenantId,
            ClientId = view?.ClientId,
            SenderAddress = view?.SenderAddress,
        }));
        // A relayed "no such user" for the stored sender: name its UPN when an admin connection to that tenant can look it up.
        throw await Entra.SenderCheck.ExplainNotFoundAsync(_session, failure, view?.TenantId, view?.SenderAddress, ct).ConfigureAwait(false);
    }

    private async Task<SmtpSettingsView?> TryGetAsync(PlatformTarget target, CancellationToken ct)
    {
        try
        {
            return await GetAsync(target, ct).ConfigureAwait(false);
        }
        catch (MailOAuthException)
        {
            return null;
        }
    }

    /// <summary>Where the caller still has the secret a failed save was given (never in the error record itself).</summary>
    private const string SecretWhereabouts =
        "this error holds identifiers only, so the secret is still only in the object you passed in (New-MailOAuthApp's output holds it as ClientSecret: keep that object with -OutVariable or in a variable).";

    /// <summary>
    /// What the platform holds after a failed save, read back. A failed answer does not prove nothing was stored (a gateway
    /// error after the platform wrote the settings): when it now shows the sent client ID with the sent secret's hint, it says so.
    /// </summary>
    private async Task<string> DescribeKeptSettingsAsync(PlatformTarget target, string sentClientId, string? sentHint, CancellationToken ct)
    {
        var kept = await TryGetAsync(target, ct).ConfigureAwait(false);
        if (kept is null) return "The platform's settings could not be read back, so whether it stored the new secret is unknown (Get-ResellerSmtpSetting shows its hint); " + SecretWhereabouts;
        if (kept.ClientId is null) return "The platform has no SMTP settings stored (none were before). The new secret was not stored there; " + SecretWhereabouts;
        if (!string.IsNullOrEmpty(sentHint) && kept.ClientSecretHint == sentHint && string.Equals(kept.ClientId, sentClientId, StringComparison.OrdinalIgnoreCase))
            return $"Reading the platform back shows client ID {kept.ClientId} with a secret whose hint is the new one's ({kept.ClientSecretHint}…, updated {kept.UpdatedAt:u}): it has probably stored the new settings despite the error; " + SecretWhereabouts;
        return $"The platform kept its previous settings (client ID {kept.ClientId}, sender {kept.SenderAddress}, secret {kept.ClientSecretHint}…, updated {kept.UpdatedAt:u}). The new secret was not stored there; " + SecretWhereabouts;
    }

    /// <summary>A secret's hint as Entra and the platform show it: its first three characters.</summary>
    private static string? Hint(string? secret) => secret is { Length: > 3 } ? secret.Substring(0, 3) : null;

    private async Task<(int Status, string Body)> SendAsync(PlatformTarget target, string method, string path, JsonObject? payload, CancellationToken ct)
    {
        RequireSecureUri(target.PlatformUri);
        var uri = new Uri(target.PlatformUri.GetLeftPart(UriPartial.Path).TrimEnd('/') + path);
        using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), uri);
        var token = SecretText.Reveal(target.ApiToken);
        if (string.Equals(target.Profile.AuthScheme, "Header", StringComparison.OrdinalIgnoreCase))
            request.Headers.TryAddWithoutValidation(target.Profile.AuthHeader, token);
        else
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (payload is not null) request.Content = new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json");
        // The platform's test sends an e-mail: after an answer lost in transit it is not repeated, so that
        // no duplicate message goes out (a 429/503, which say "not processed", is still retried).
        if (path == target.Profile.TestPath && method == target.Profile.TestMethod) MarkNotRepeatable(request);
        using var client = _session.HttpForPlatform(target.PlatformUri, target.TrustedCertificate).CreateClient();
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            var body = await ReadBoundedAsync(response, path, ct).ConfigureAwait(false);
            // A platform may echo what it was sent: the token and the secret never go further than here.
            // Every string of a JSON answer is scrubbed after decoding, so no escape form slips through.
            var secret = payload?[target.Profile.Field("clientSecret")]?.GetValue<string>();
            return ((int)response.StatusCode, Redaction.ScrubAnswer(body, token, secret));
        }
        catch (Resilience.AmbiguousRequestException ex) when (path == target.Profile.TestPath)
        {
            throw new MailOAuthException(DiagnosisCatalog.NetworkFailure(target.PlatformUri, ex.Message, OperationContext.Current?.Retries, isPlatform: true)
                .WithNote(DiagnosisCatalog.NotRepeatedNote("the test e-mail")), ex);
        }
        catch (HttpRequestException ex) when (FindInner<System.Security.Authentication.AuthenticationException>(ex) is { } tls)
        {
            // The platform answered with a certificate this machine does not trust (a private CA, self-signed).
            throw new MailOAuthException(DiagnosisCatalog.PlatformCertificateUntrusted(target.PlatformUri, tls.Message, target.TrustedCertificate?.Thumbprint), ex);
        }
        catch (HttpRequestException ex)
        {
            throw new MailOAuthException(DiagnosisCatalog.NetworkFailure(target.PlatformUri, ex.InnerException?.Message ?? ex.Message, OperationContext.Current?.Retries, isPlatform: true), ex);
        }
    }

    private static T? FindInner<T>(Exception ex) where T : Exception
    {
        for (var e = ex.InnerException; e is not null; e = e.InnerException)
            if (e is T match) return match;
        return null;
    }

    /// <summary>The largest platform answer read (an SMTP-settings answer is a few hundred bytes).</summary>
    internal const int MaxAnswerBytes = 1024 * 1024;

    private static async Task<string> ReadBoundedAsync(HttpResponseMessage response, string path, CancellationToken ct)
    {
        if (response.Content is null) return "";
        if (response.Content.Headers.ContentLength is > MaxAnswerBytes) throw TooLarge(response, path);
        using var stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
        using var buffer = new System.IO.MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxAnswerBytes) throw TooLarge(response, path);
            buffer.Write(chunk, 0, read);
        }
        var charset = response.Content.Headers.ContentType?.CharSet;
        Encoding encoding;
        try
        {
            encoding = string.IsNullOrEmpty(charset) ? Encoding.UTF8 : Encoding.GetEncoding(charset!.Trim('"'));
        }
        catch (ArgumentException)
        {
            encoding = Encoding.UTF8;
        }
        return encoding.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static MailOAuthException TooLarge(HttpResponseMessage response, string path) =>
        new(DiagnosisCatalog.PlatformUnexpected((int)response.StatusCode, path,
            $"the answer is larger than {MaxAnswerBytes / 1024} KB, far more than an SMTP-settings answer; it was not read"));

    private static void MarkNotRepeatable(HttpRequestMessage request)
    {
#pragma warning disable CS0618 // Properties is the netstandard2.0 way; RetryHandler looks there.
        request.Properties[typeof(Resilience.NoAmbiguousRetryOption).FullName!] = new Resilience.NoAmbiguousRetryOption();
#pragma warning restore CS0618
    }

    private enum PlatformCall { Read, Save, Test }

    private static void EnsureSuccess(PlatformTarget target, int status, string body, string path, PlatformCall call)
    {
        if (status is >= 200 and < 300) return;
        var root = Parse(body);
        var messages = ReadErrors(target.Profile, root);
        var retries = OperationContext.Current?.Retries;
        switch (status)
        {
            case 401:
            case 403:
                throw new MailOAuthException(DiagnosisCatalog.PlatformAuthenticationFailed(status, messages.Count > 0 ? string.Join("; ", messages) : Short(body), call != PlatformCall.Read));
            case 400 or 422 when call == PlatformCall.Save:
                throw new MailOAuthException(DiagnosisCatalog.PlatformRejectedSettings(status, messages.Count > 0 ? string.Join("; ", messages) : Short(body)));
            case 400 or 422 when call == PlatformCall.Test:
                throw new MailOAuthException(DiagnosisCatalog.PlatformTestFailed(null, messages.Count > 0 ? string.Join("; ", messages) : Short(body), new DiagnosisContext()));
            case 429:
            case >= 500:
                // Retried already by the module's RetryHandler: explain as the transient it is.
                throw new MailOAuthException(DiagnosisCatalog.PlatformUnavailable(status, messages.Count > 0 ? string.Join("; ", messages) : Short(body), retries));
            default:
                throw new MailOAuthException(DiagnosisCatalog.PlatformUnexpected(status, path, Short(body)));
        }
    }

    /// <summary>Each {field, message} of the platform's error list, with fields in MailOAuth's names.</summary>
    private static List<string> ReadErrors(PlatformProfile profile, JsonNode? root)
    {
        var list = new List<string>();
        if (Read(root, profile.ErrorsField) is JsonArray errors)
        {
            foreach (var e in errors.OfType<JsonObject>())
            {
                var field = e["field"]?.ToString();
                var message = e["message"]?.ToString() ?? e.ToJsonString();
                list.Add(string.IsNullOrEmpty(field) ? message : $"{Parameter(profile.OurField(field!))}: {message}");
            }
        }
        return list;
    }

    /// <summary>Names a contract field as the cmdlet parameter that sets it (-SenderAddress …).</summary>
    private static string Parameter(string field) => field.Length == 0 ? field : "-" + char.ToUpperInvariant(field[0]) + field.Substring(1);

    private static SmtpSettingsView ReadView(PlatformProfile p, string body)
    {
        var root = Parse(body);
        string? Str(string ours) => Read(root, p.Field(ours)) is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        DateTimeOffset? updated = DateTimeOffset.TryParse(Str("updatedAt"), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var u) ? u : null;
        return new SmtpSettingsView
        {
            Provider = Str("provider"),
            TenantId = Str("tenantId"),
            ClientId = Str("clientId"),
            SenderAddress = Str("senderAddress"),
            ClientSecretHint = Str("clientSecretHint"),
            UpdatedAt = updated,
        };
    }

    private static JsonNode? Parse(string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            return JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads a dotted path ("error.message") from a JSON answer.</summary>
    private static JsonNode? Read(JsonNode? root, string path)
    {
        var node = root;
        foreach (var part in path.Split('.'))
        {
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(part, out node)) return null;
        }
        return node;
    }

    private static string Short(string body)
    {
        var text = body.Replace("\r", " ").Replace("\n", " ").Trim();
        return text.Length == 0 ? "(no body)" : text.Length > 300 ? text.Substring(0, 300) + "…" : text;
    }
}
