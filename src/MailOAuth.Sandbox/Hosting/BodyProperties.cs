using System.Text.Json;

namespace MailOAuth.Sandbox.Hosting;

/// <summary>
/// Case-insensitive property lookup in request bodies: OData names, matched the way Graph
/// tolerates, and the reseller platform's fields. Anything but a string reads as a missing string.
/// </summary>
public static class BodyProperties
{
    public static JsonElement? Find(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    public static string? String(JsonElement element, string name) =>
        Find(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;
}
