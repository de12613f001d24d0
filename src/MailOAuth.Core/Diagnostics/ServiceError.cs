using System;
using System.Linq;
using System.Text.Json;

namespace MailOAuth.Core.Diagnostics;

/// <summary>Which service produced an error body.</summary>
public enum ServiceKind { Entra, Graph }

/// <summary>
/// An error answer as the service sent it, reduced to what diagnosis keys on: the HTTP status and the
/// service's code (Entra: the first of <c>error_codes</c>; Graph: <c>error.code</c>). Never the text:
/// docs/service-behaviour.md#entra-error-body "Never use this field to react to an error in your code".
/// </summary>
public sealed class ServiceError
{
    public ServiceKind Service { get; private set; }
    public int Status { get; private set; }

    /// <summary>Entra's OAuth error string (invalid_client, …) or Graph's error.code.</summary>
    public string? Error { get; private set; }

    /// <summary>Entra AADSTS number (first of error_codes), 0 when none.</summary>
    public int AadstsCode { get; private set; }

    /// <summary>Graph error.details[0].code, e.g. NoBackingApplicationObject.</summary>
    public string? DetailCode { get; private set; }

    public string? Message { get; private set; }
    public string? RequestId { get; private set; }
    public string? CorrelationId { get; private set; }

    /// <summary>The code to show: "AADSTS7000215" or the Graph code.</summary>
    public string? DisplayCode => AadstsCode != 0 ? "AADSTS" + AadstsCode : Error;

    /// <summary>Parses an Entra token/discovery error body (docs/service-behaviour.md#entra-error-body). Unknown shapes give a bare status.</summary>
    public static ServiceError FromEntra(int status, string? body)
    {
        var e = new ServiceError { Service = ServiceKind.Entra, Status = status };
        if (!TryParse(body, out var root)) return e;
        e.Error = GetString(root, "error");
        if (root.TryGetProperty("error_codes", out var codes) && codes.ValueKind == JsonValueKind.Array)
        {
            var first = codes.EnumerateArray().FirstOrDefault();
            if (first.ValueKind == JsonValueKind.Number && first.TryGetInt32(out var n)) e.AadstsCode = n;
            else if (first.ValueKind == JsonValueKind.String && int.TryParse(first.GetString(), out n)) e.AadstsCode = n;
        }
        e.Message = FirstLine(GetString(root, "error_description"));
        e.RequestId = GetString(root, "trace_id");
        e.CorrelationId = GetString(root, "correlation_id");
        return e;
    }

    /// <summary>Parses a Graph error body (docs/service-behaviour.md#graph-error-body; innerError optional).</summary>
    public static ServiceError FromGraph(int status, string? body, string? requestIdHeader = null, string? clientRequestIdHeader = null)
    {
        var e = new ServiceError { Service = ServiceKind.Graph, Status = status, RequestId = requestIdHeader, CorrelationId = clientRequestIdHeader };
        if (!TryParse(body, out var root)) return e;
        // The Exchange backend behind Graph's roleManagement/exchange answers in the older OData shape
        // {"odata.error":{"code","message":{"lang","value"}}} (docs/service-behaviour.md#exchange-rbac).
        if (root.TryGetProperty("odata.error", out var exchange) && exchange.ValueKind == JsonValueKind.Object)
        {
            e.Error = GetString(exchange, "code");
            e.Message = exchange.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? GetString(m, "value") : GetString(exchange, "message");
            return e;
        }
        if (!root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object) return e;
        e.Error = GetString(error, "code");
        e.Message = GetString(error, "message");
        if (error.TryGetProperty("details", out var details) && details.ValueKind == JsonValueKind.Array)
            e.DetailCode = details.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Object ? GetString(d, "code") : null).FirstOrDefault(c => c is not null);
        if (error.TryGetProperty("innerError", out var inner) && inner.ValueKind == JsonValueKind.Object)
        {
            e.RequestId ??= GetString(inner, "request-id");
            e.CorrelationId ??= GetString(inner, "client-request-id");
        }
        return e;
    }

    /// <summary>Builds a Graph error from parts already parsed by the Graph SDK.</summary>
    public static ServiceError FromGraphParts(int status, string? code, string? message, string? requestId, string? clientRequestId, string? detailCode = null) =>
        new() { Service = ServiceKind.Graph, Status = status, Error = code, Message = message, RequestId = requestId, CorrelationId = clientRequestId, DetailCode = detailCode };

    /// <summary>Builds an Entra error from an AADSTS number found in text another system relayed.</summary>
    public static ServiceError FromEntraParts(int status, int aadstsCode, string? error, string? message) =>
        new() { Service = ServiceKind.Entra, Status = status, AadstsCode = aadstsCode, Error = error, Message = FirstLine(message) };

    /// <summary>
    /// Entra's error_description ends with " Trace ID: … Correlation ID: … Timestamp: …", separated by
    /// one space (2024+) or CRLF (older) — docs/service-behaviour.md#entra-error-body. Keep only the message itself.
    /// </summary>
    internal static string? FirstLine(string? description)
    {
        if (description is null) return null;
        var cut = description.IndexOf("Trace ID:", StringComparison.Ordinal);
        var text = cut >= 0 ? description.Substring(0, cut) : description;
        return text.Replace("\r", " ").Replace("\n", " ").Trim();
    }

    private static bool TryParse(string? body, out JsonElement root)
    {
        root = default;
        if (string.IsNullOrWhiteSpace(body)) return false;
        try
        {
            using var doc = JsonDocument.Parse(body!);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return false;
            root = doc.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string? GetString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
}
