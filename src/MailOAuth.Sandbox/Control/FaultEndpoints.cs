using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Control;

/// <summary>Adding an injected fault (docs/sandbox.md "Control endpoints"); listing and removing them are in <see cref="ControlEndpoints"/>.</summary>
public static class FaultEndpoints
{
    /// <summary>
    /// <c>POST /_sandbox/faults</c>: <c>{pathPattern, method?, status?, retryAfter?, count?, latencyMs?, body?}</c> → 201 <c>{id}</c>.
    /// </summary>
    public static async Task AddAsync(HttpContext context, SandboxRuntime runtime)
    {
        var (root, bodyProblem) = await ControlHttp.ReadObjectAsync(context);
        if (bodyProblem is not null)
        {
            await ControlHttp.ErrorAsync(context, 400, bodyProblem);
            return;
        }

        var (fault, problem) = Parse(root);
        if (problem is not null)
        {
            await ControlHttp.ErrorAsync(context, 400, problem);
            return;
        }

        runtime.Faults.Add(fault!);
        context.Response.Headers.Location = $"/_sandbox/faults/{fault!.Id}";
        await ControlHttp.WriteJsonAsync(context, 201, SandboxJson.Serialize(new JsonObject { ["id"] = fault.Id }));
    }

    private static (Fault? Fault, string? Problem) Parse(JsonElement root)
    {
        if (!root.TryGetProperty("pathPattern", out var patternElement) || patternElement.ValueKind != JsonValueKind.String
            || patternElement.GetString() is not { Length: > 0 } pattern)
        {
            return (null, "pathPattern (a regular expression over the request path) is required.");
        }

        Regex regex;
        try
        {
            regex = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException e)
        {
            return (null, $"pathPattern is not a valid regular expression: {e.Message}");
        }

        var method = ControlHttp.OptionalString(root, "method");
        var status = ControlHttp.OptionalInt(root, "status", out var statusProblem);
        var count = ControlHttp.OptionalInt(root, "count", out var countProblem) ?? 1;
        var latency = ControlHttp.OptionalInt(root, "latencyMs", out var latencyProblem);
        if ((statusProblem ?? countProblem ?? latencyProblem) is { } problem)
        {
            return (null, problem);
        }

        if (status is not null && status != 0 && status is < 200 or > 599)
        {
            return (null, "status must be 0 (abort the connection) or an HTTP status from 200 to 599.");
        }

        if (count < 1)
        {
            return (null, "count must be at least 1.");
        }

        if (latency is < 0)
        {
            return (null, "latencyMs must not be negative.");
        }

        if (status is null && latency is null)
        {
            return (null, "A fault needs a status, a latencyMs, or both.");
        }

        // Copied verbatim into the header: "2", "0.5", an HTTP date… but it must be a legal header value.
        string? retryAfter = null;
        if (root.TryGetProperty("retryAfter", out var retryElement) && retryElement.ValueKind != JsonValueKind.Null)
        {
            retryAfter = retryElement.ValueKind == JsonValueKind.String ? retryElement.GetString() : retryElement.GetRawText();
            if (retryAfter is null || retryAfter.Any(c => c < 0x20 || c > 0x7E))
            {
                return (null, "retryAfter must be printable ASCII.");
            }
        }

        // A raw body: a string is sent as is, any other JSON value as its JSON text.
        string? body = null;
        if (root.TryGetProperty("body", out var bodyElement) && bodyElement.ValueKind != JsonValueKind.Null)
        {
            body = bodyElement.ValueKind == JsonValueKind.String ? bodyElement.GetString() : bodyElement.GetRawText();
        }

        var afterProcessing = root.TryGetProperty("afterProcessing", out var afterElement) && afterElement.ValueKind == JsonValueKind.True;
        if (afterProcessing && status is null)
        {
            return (null, "afterProcessing needs a status: the request is handled, then its answer is replaced by that status (0: the connection is aborted).");
        }

        return (new Fault(Guid.NewGuid().ToString(), regex, method, status, retryAfter, count, latency, body, afterProcessing), null);
    }
}
