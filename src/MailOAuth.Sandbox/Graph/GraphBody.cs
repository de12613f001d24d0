using System.Text.Json;

namespace MailOAuth.Sandbox.Graph;

/// <summary>How Graph's gateway reads a request body, for every Graph endpoint that takes one.</summary>
public static class GraphBody
{
    /// <summary>
    /// The JSON object body. Empty → "Empty Payload" (unless <paramref name="allowEmpty"/>, then
    /// <c>{}</c>); not JSON or not an object → "Unable to read JSON request payload".
    /// </summary>
    public static async Task<(JsonElement Body, GraphError? Error)> ReadObjectAsync(HttpContext context, bool allowEmpty = false)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        if (buffer.Length == 0)
        {
            return allowEmpty
                ? (JsonDocument.Parse("{}").RootElement.Clone(), null)
                : (default, new GraphError(400, "BadRequest", "Empty Payload. JSON content expected.")); // INFERRED gateway text
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray());
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? (document.RootElement.Clone(), null)
                : (default, GraphError.UnreadableJson());
        }
        catch (JsonException)
        {
            return (default, GraphError.UnreadableJson());
        }
    }
}
