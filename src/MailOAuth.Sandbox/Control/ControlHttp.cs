using System.Text.Json;
using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Control;

/// <summary>What every control endpoint shares: reading a JSON object body, optional fields, and the answers.</summary>
internal static class ControlHttp
{
    private const string JsonContentType = "application/json; charset=utf-8";

    internal static async Task<(JsonElement Root, string? Problem)> ReadObjectAsync(HttpContext context)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (default, "The body must be a JSON object.");
        }
        catch (JsonException e)
        {
            return (default, $"The body is not JSON: {e.Message}");
        }
    }

    internal static double? OptionalDouble(JsonElement root, string name, out string? problem)
    {
        problem = null;
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.GetDouble();
        }

        if (value.ValueKind == JsonValueKind.String && double.TryParse(value.GetString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        problem = $"{name} must be a number.";
        return null;
    }

    internal static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;

    internal static int? OptionalInt(JsonElement root, string name, out string? problem)
    {
        problem = null;
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && int.TryParse(value.GetString(), out number))
        {
            return number;
        }

        problem = $"{name} must be an integer.";
        return null;
    }

    internal static Task NoContent(HttpContext context, Action action)
    {
        action();
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    internal static Task ErrorAsync(HttpContext context, int status, string message) =>
        WriteJsonAsync(context, status, SandboxJson.Serialize(new JsonObject { ["error"] = message }));

    internal static Task WriteJsonAsync(HttpContext context, int status, string json) =>
        SandboxJson.WriteAsync(context, status, json, JsonContentType);
}
