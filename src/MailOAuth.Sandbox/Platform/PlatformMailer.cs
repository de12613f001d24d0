using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Control;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Platform;

/// <summary>
/// The platform's mail client: a client-credentials token from the sandbox's own token endpoint,
/// then <c>POST /v1.0/users/{sender}/sendMail</c>, over HTTPS to its own base URI with its own
/// certificate pinned. No shortcuts into the directory: a wrong secret, missing consent or an
/// unlicensed sender fail exactly as for any client, and both calls are in the request log (and
/// subject to injected faults). No retries, as a typical platform.
/// </summary>
public sealed class PlatformMailer : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _baseUri;

    /// <summary>
    /// Calls the sandbox at <paramref name="baseUri"/> (its authority host and Graph endpoint: one
    /// origin), trusting only the certificate with <paramref name="certificateThumbprint"/>.
    /// </summary>
    public PlatformMailer(string baseUri, string certificateThumbprint)
    {
        _baseUri = baseUri;
        var handler = SandboxHost.CreatePinnedHandler(certificateThumbprint);
        handler.UseProxy = false; // its own loopback address
        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("MailOAuth.Sandbox-ResellerPlatform/1.0");
    }

    /// <summary>Sends the test email with the stored settings; never throws for a service's refusal.</summary>
    /// <remarks>The message id is the outbox message's id (found by Graph's request-id), else the request-id.</remarks>
    public async Task<PlatformTestResult> SendTestAsync(PlatformState state, Outbox outbox, string to, CancellationToken ct)
    {
        var settings = state.Settings;
        if (settings is null)
        {
            return Failed(state, to, "config", "NotConfigured", "SMTP Email Settings are not configured.");
        }

        var clientRequestId = Guid.NewGuid().ToString();
        try
        {
            // 1. Client credentials for Graph.
            var graphEndpoint = _baseUri;
            using var tokenRequest = new HttpRequestMessage(HttpMethod.Post, $"{_baseUri}/{Uri.EscapeDataString(settings.TenantId)}/oauth2/v2.0/token")
            {
                Content = new FormUrlEncodedContent(
                [
                    new("client_id", settings.ClientId),
                    new("client_secret", state.UnprotectSecret(settings)),
                    new("scope", graphEndpoint + "/.default"),
                    new("grant_type", "client_credentials"),
                ]),
            };
            tokenRequest.Headers.Add("client-request-id", clientRequestId);
            string accessToken;
            using (var tokenResponse = await _http.SendAsync(tokenRequest, ct))
            {
                var text = await tokenResponse.Content.ReadAsStringAsync(ct);
                var json = TryParse(text);
                if (!tokenResponse.IsSuccessStatusCode || json?["access_token"]?.GetValueKind() != JsonValueKind.String)
                {
                    var (code, message) = EntraError(json, (int)tokenResponse.StatusCode, tokenResponse.ReasonPhrase);
                    return Failed(state, to, "token", code, message);
                }

                accessToken = json["access_token"]!.GetValue<string>();
            }

            // 2. sendMail through the sender's mailbox.
            using var mailRequest = new HttpRequestMessage(HttpMethod.Post, $"{graphEndpoint}/v1.0/users/{Uri.EscapeDataString(settings.SenderAddress)}/sendMail")
            {
                Content = new StringContent(MessageJson(settings, to), Encoding.UTF8, "application/json"),
            };
            mailRequest.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            mailRequest.Headers.Add("client-request-id", clientRequestId);
            using var mailResponse = await _http.SendAsync(mailRequest, ct);
            var mailText = await mailResponse.Content.ReadAsStringAsync(ct);
            if (!mailResponse.IsSuccessStatusCode)
            {
                var (code, message) = GraphError(TryParse(mailText), (int)mailResponse.StatusCode, mailResponse.ReasonPhrase);
                return Failed(state, to, "graph", code, message);
            }

            var requestId = mailResponse.Headers.TryGetValues("request-id", out var values) ? values.FirstOrDefault() : null;
            var messageId = outbox.Snapshot().LastOrDefault(m => m.RequestId == requestId)?.Id ?? requestId ?? clientRequestId;
            var delivered = new PlatformTestResult(state.Now, to, messageId, null);
            state.RecordTest(delivered);
            return delivered;
        }
        catch (HttpRequestException e)
        {
            return Failed(state, to, "network", "NetworkError", $"Could not reach the mail service: {e.Message}");
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            return Failed(state, to, "network", "Timeout", $"The mail service did not answer within {_http.Timeout.TotalSeconds:0} seconds.");
        }
    }

    private static PlatformTestResult Failed(PlatformState state, string to, string stage, string code, string message)
    {
        var result = new PlatformTestResult(state.Now, to, null, new PlatformTestError(stage, code, message));
        state.RecordTest(result);
        return result;
    }

    /// <summary>Entra: <c>error</c>, and <c>error_description</c> up to before " Trace ID" ("AADSTS7000215: …").</summary>
    private static (string Code, string Message) EntraError(JsonNode? json, int status, string? reason)
    {
        if (json?["error"]?.GetValueKind() == JsonValueKind.String)
        {
            var code = json["error"]!.GetValue<string>();
            var description = json["error_description"]?.GetValueKind() == JsonValueKind.String ? json["error_description"]!.GetValue<string>() : code;
            var trace = description.IndexOf(" Trace ID", StringComparison.Ordinal);
            return (code, (trace >= 0 ? description[..trace] : description).TrimEnd());
        }

        return ($"HTTP{status}", $"The token endpoint answered HTTP {status}{(string.IsNullOrEmpty(reason) ? "" : " " + reason)}.");
    }

    /// <summary>Graph: <c>error.code</c> and <c>error.message</c>, verbatim.</summary>
    private static (string Code, string Message) GraphError(JsonNode? json, int status, string? reason)
    {
        if (json?["error"] is JsonObject error && error["code"]?.GetValueKind() == JsonValueKind.String)
        {
            var message = error["message"]?.GetValueKind() == JsonValueKind.String ? error["message"]!.GetValue<string>() : "";
            return (error["code"]!.GetValue<string>(), message);
        }

        return ($"HTTP{status}", $"Microsoft Graph answered HTTP {status}{(string.IsNullOrEmpty(reason) ? "" : " " + reason)}.");
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private string MessageJson(PlatformSettings settings, string to) => SandboxJson.Serialize(new JsonObject
    {
        ["message"] = new JsonObject
        {
            ["subject"] = "Test email from Reseller Settings",
            ["body"] = new JsonObject
            {
                ["contentType"] = "Text",
                ["content"] =
                    "This is a test email from Admin › Reseller Settings › SMTP Email Settings.\n" +
                    "It was sent through Microsoft Graph with OAuth 2.0 (client credentials).\n\n" +
                    $"Platform: {_baseUri}\nTenant ID: {settings.TenantId}\nClient ID: {settings.ClientId}\nSender mailbox: {settings.SenderAddress}\n",
            },
            ["toRecipients"] = new JsonArray(new JsonObject { ["emailAddress"] = new JsonObject { ["address"] = to } }),
        },
        ["saveToSentItems"] = false,
    });

    public void Dispose() => _http.Dispose();
}
