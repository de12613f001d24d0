using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace MailOAuth.Sandbox.Hosting;

/// <summary>JSON settings shared by every response.</summary>
public static class SandboxJson
{
    /// <summary>
    /// Compact, camelCase, nulls omitted, and the relaxed encoder so that <c>'</c>, <c>+</c>,
    /// <c>&lt;</c> and <c>&gt;</c> in messages come out literally, as the real services write them.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static string Serialize(JsonNode node) => node.ToJsonString(Options);

    public static async Task WriteAsync(HttpContext context, int status, string json, string contentType)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(json, context.RequestAborted);
    }
}
