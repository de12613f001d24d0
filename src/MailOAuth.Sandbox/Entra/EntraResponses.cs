using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Entra;

/// <summary>Headers and bodies the way login.microsoftonline.com writes them.</summary>
public static class EntraResponses
{
    public const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>Token endpoint headers (docs/service-behaviour.md#token-request). <c>x-ms-clitelem</c> carries the error code, 0 on success.</summary>
    public static void ApplyTokenHeaders(HttpContext context, SandboxRequest request, int errorCode = 0)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "no-store, no-cache";
        headers.Pragma = "no-cache";
        headers.Expires = "-1";
        headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
        headers.XContentTypeOptions = "nosniff";
        headers["P3P"] = "CP=\"DSP CUR OTPi IND OTRi ONL FIN\"";
        ApplyCommon(headers, request);
        headers["x-ms-clitelem"] = $"1,{errorCode},0,,";
        if (errorCode != 0)
        {
            headers["x-ms-srs"] = "1.P";
            headers.XXSSProtection = "0";
            headers["Content-Security-Policy-Report-Only"] = "object-src 'none'; base-uri 'self'; script-src 'self' 'nonce-sandbox' 'unsafe-inline' 'unsafe-eval'; report-uri /csp/reporting";
        }

        headers.SetCookie = new[]
        {
            $"fpc={Guid.NewGuid():N}; expires={DateTimeOffset.UtcNow.AddDays(30):R}; path=/; secure; HttpOnly; SameSite=None",
            "x-ms-gateway-slice=estsfd; path=/; secure; samesite=none; httponly",
            "stsservicecookie=estsfd; path=/; secure; samesite=none; httponly",
        };
    }

    /// <summary>Discovery headers (docs/service-behaviour.md#discovery).</summary>
    public static void ApplyDiscoveryHeaders(HttpContext context, SandboxRequest request)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "max-age=86400, private";
        headers.StrictTransportSecurity = "max-age=31536000; includeSubDomains";
        headers.XContentTypeOptions = "nosniff";
        headers.AccessControlAllowOrigin = "*";
        headers.AccessControlAllowMethods = "GET, OPTIONS";
        ApplyCommon(headers, request);
    }

    private static void ApplyCommon(IHeaderDictionary headers, SandboxRequest request)
    {
        if (request.ClientRequestId is not null)
        {
            headers["client-request-id"] = request.ClientRequestId;
        }

        headers["x-ms-request-id"] = request.RequestId;
        headers["x-ms-ests-server"] = "2.1.0.0 - SANDBOX ProdSlices";
    }

    /// <summary>
    /// Writes the flat Entra error body in the server's field order (docs/service-behaviour.md#entra-error-body): error,
    /// error_description ("AADSTSn: text Trace ID: … Correlation ID: … Timestamp: …", 2024+
    /// single-space form), error_codes (integers), timestamp, trace_id, correlation_id, error_uri,
    /// then suberror and claims when present (docs/service-behaviour.md#aadsts-conditional-access).
    /// </summary>
    public static Task WriteErrorAsync(HttpContext context, EntraError error, DateTimeOffset now, bool discovery = false)
    {
        var request = SandboxRequest.Get(context);
        if (discovery)
        {
            ApplyDiscoveryHeaders(context, request);
        }
        else
        {
            ApplyTokenHeaders(context, request, error.Code);
        }

        return WriteErrorBodyAsync(context, error, now, request);
    }

    /// <summary>Only the body (and status); headers are the caller's.</summary>
    public static Task WriteErrorBodyAsync(HttpContext context, EntraError error, DateTimeOffset now, SandboxRequest request)
    {
        var timestamp = now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var body = new JsonObject
        {
            ["error"] = error.Error,
            ["error_description"] =
                $"AADSTS{error.Code}: {error.Message} Trace ID: {request.RequestId} Correlation ID: {request.CorrelationId} Timestamp: {timestamp}",
            ["error_codes"] = new JsonArray(error.Code),
            ["timestamp"] = timestamp,
            ["trace_id"] = request.RequestId,
            ["correlation_id"] = request.CorrelationId,
            // The host follows the host the request went to (docs/service-behaviour.md#entra-error-body).
            ["error_uri"] = $"{context.Request.Scheme}://{context.Request.Host}/error?code={error.Code}",
        };
        if (error.Suberror is not null)
        {
            body["suberror"] = error.Suberror;
        }

        if (error.Claims is not null)
        {
            body["claims"] = error.Claims;
        }

        return SandboxJson.WriteAsync(context, error.Status, SandboxJson.Serialize(body), JsonContentType);
    }

    public static Task WriteJsonAsync(HttpContext context, JsonNode body, int status = 200) =>
        SandboxJson.WriteAsync(context, status, SandboxJson.Serialize(body), JsonContentType);
}
