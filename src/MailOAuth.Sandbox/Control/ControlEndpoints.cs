using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Platform;

namespace MailOAuth.Sandbox.Control;

/// <summary>The <c>/_sandbox/*</c> endpoints (docs/sandbox.md "Control endpoints"). Not logged.</summary>
public static class ControlEndpoints
{
    private const string JsonContentType = "application/json; charset=utf-8";

    public static void Map(IEndpointRouteBuilder routes, SandboxRuntime runtime, string infoJson)
    {
        routes.MapGet("/_sandbox/outbox", context => WriteJsonAsync(context, 200, SandboxJson.Serialize(runtime.Outbox.Snapshot())));
        routes.MapDelete("/_sandbox/outbox", context => NoContent(context, runtime.Outbox.Clear));

        routes.MapGet("/_sandbox/requests", context => WriteJsonAsync(context, 200, SandboxJson.Serialize(runtime.RequestLog.Snapshot())));
        routes.MapDelete("/_sandbox/requests", context => NoContent(context, runtime.RequestLog.Clear));

        routes.MapPost("/_sandbox/faults", context => AddFaultAsync(context, runtime));
        routes.MapGet("/_sandbox/faults", context => WriteJsonAsync(context, 200, SandboxJson.Serialize(
            runtime.Faults.Snapshot().Select(f => new
            {
                id = f.Fault.Id,
                pathPattern = f.Fault.PathPattern.ToString(),
                method = f.Fault.Method,
                status = f.Fault.Status,
                retryAfter = f.Fault.RetryAfter,
                remaining = f.Remaining,
                latencyMs = f.Fault.LatencyMs,
                body = f.Fault.Body,
            }))));
        routes.MapDelete("/_sandbox/faults", context => NoContent(context, runtime.Faults.Clear));
        routes.MapDelete("/_sandbox/faults/{id}", context => runtime.Faults.Remove(context.GetRouteValue("id") as string ?? "")
            ? NoContent(context, () => { })
            : ErrorAsync(context, 404, "No such fault."));

        routes.MapPost("/_sandbox/reset", context => NoContent(context, () =>
        {
            runtime.Faults.Clear();
            runtime.Outbox.Clear();
            runtime.RequestLog.Clear();
        }));

        routes.MapPost("/_sandbox/reset-directory", context => NoContent(context, runtime.ResetDirectory));
        routes.MapGet("/_sandbox/directory", context => WriteJsonAsync(context, 200, SandboxJson.Serialize(DirectorySnapshot.Create(runtime))));

        routes.MapGet("/_sandbox/replication", context => WriteJsonAsync(context, 200, ReplicationJson(runtime)));
        routes.MapPost("/_sandbox/replication", context => SetReplicationAsync(context, runtime));

        routes.MapGet("/_sandbox/policies/secret-lifetime", context => WriteJsonAsync(context, 200, SecretLifetimeJson(runtime)));
        routes.MapPost("/_sandbox/policies/secret-lifetime", context => SetSecretLifetimeAsync(context, runtime));
        routes.MapDelete("/_sandbox/policies/secret-lifetime", context => NoContent(context, () => runtime.Directory.SecretLifetimeMaxDays = null));

        routes.MapGet("/_sandbox/platform", context => WriteJsonAsync(context, 200, SandboxJson.Serialize(PlatformEndpoints.Snapshot(runtime.Platform))));
        routes.MapPost("/_sandbox/reset-platform", context => NoContent(context, runtime.Platform.Reset));

        routes.MapGet("/_sandbox/info", context => WriteJsonAsync(context, 200, infoJson));
        routes.Map("/_sandbox/{**rest}", context => ErrorAsync(context, 404, "Unknown control endpoint."));
    }

    /// <summary><c>POST /_sandbox/replication {"lagSeconds": N}</c> → 200 with the new setting (0 = immediate).</summary>
    private static async Task SetReplicationAsync(HttpContext context, SandboxRuntime runtime)
    {
        var (root, problem) = await ReadObjectAsync(context);
        var lag = problem is null ? OptionalDouble(root, "lagSeconds", out problem) : null;
        if (problem is null && (lag is null || lag < 0 || double.IsNaN(lag.Value) || lag > TimeSpan.FromDays(1).TotalSeconds))
        {
            problem = "lagSeconds (a number of seconds from 0 to 86400) is required.";
        }

        if (problem is not null)
        {
            await ErrorAsync(context, 400, problem);
            return;
        }

        var directoryLag = OptionalDouble(root, "directoryLagSeconds", out problem);
        if (problem is not null || directoryLag is < 0 or > 86400)
        {
            await ErrorAsync(context, 400, problem ?? "directoryLagSeconds must be from 0 to 86400.");
            return;
        }

        var mailLag = OptionalDouble(root, "mailLagSeconds", out problem);
        if (problem is not null || mailLag is < 0 or > 86400)
        {
            await ErrorAsync(context, 400, problem ?? "mailLagSeconds must be from 0 to 86400.");
            return;
        }

        runtime.ReplicationLag = TimeSpan.FromSeconds(lag!.Value);
        runtime.DirectoryWriteLag = directoryLag is null ? null : TimeSpan.FromSeconds(directoryLag.Value);
        runtime.MailLag = TimeSpan.FromSeconds(mailLag ?? 0);
        await WriteJsonAsync(context, 200, ReplicationJson(runtime));
    }

    private static string ReplicationJson(SandboxRuntime runtime) =>
        SandboxJson.Serialize(new JsonObject
        {
            ["lagSeconds"] = runtime.ReplicationLag.TotalSeconds,
            ["directoryLagSeconds"] = (runtime.DirectoryWriteLag ?? runtime.ReplicationLag).TotalSeconds,
            ["mailLagSeconds"] = runtime.MailLag.TotalSeconds,
        });

    /// <summary><c>POST /_sandbox/policies/secret-lifetime {"maxDays": N}</c> → 200 with the policy.</summary>
    private static async Task SetSecretLifetimeAsync(HttpContext context, SandboxRuntime runtime)
    {
        var (root, problem) = await ReadObjectAsync(context);
        var maxDays = problem is null ? OptionalInt(root, "maxDays", out problem) : null;
        if (problem is null && maxDays is null or < 1)
        {
            problem = "maxDays (a whole number of days, at least 1) is required.";
        }

        if (problem is not null)
        {
            await ErrorAsync(context, 400, problem);
            return;
        }

        runtime.Directory.SecretLifetimeMaxDays = maxDays;
        await WriteJsonAsync(context, 200, SecretLifetimeJson(runtime));
    }

    private static string SecretLifetimeJson(SandboxRuntime runtime) =>
        SandboxJson.Serialize(new JsonObject { ["maxDays"] = runtime.Directory.SecretLifetimeMaxDays });

    private static async Task<(JsonElement Root, string? Problem)> ReadObjectAsync(HttpContext context)
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

    private static double? OptionalDouble(JsonElement root, string name, out string? problem)
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

    /// <summary>
    /// <c>POST /_sandbox/faults</c>: <c>{pathPattern, method?, status?, retryAfter?, count?, latencyMs?, body?}</c> → 201 <c>{id}</c>.
    /// </summary>
    private static async Task AddFaultAsync(HttpContext context, SandboxRuntime runtime)
    {
        JsonElement root;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            await ErrorAsync(context, 400, $"The body is not JSON: {e.Message}");
            return;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            await ErrorAsync(context, 400, "The body must be a JSON object.");
            return;
        }

        var (fault, problem) = ParseFault(root);
        if (problem is not null)
        {
            await ErrorAsync(context, 400, problem);
            return;
        }

        runtime.Faults.Add(fault!);
        context.Response.Headers.Location = $"/_sandbox/faults/{fault!.Id}";
        await WriteJsonAsync(context, 201, SandboxJson.Serialize(new JsonObject { ["id"] = fault.Id }));
    }

    private static (Fault? Fault, string? Problem) ParseFault(JsonElement root)
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

        var method = OptionalString(root, "method");
        var status = OptionalInt(root, "status", out var statusProblem);
        var count = OptionalInt(root, "count", out var countProblem) ?? 1;
        var latency = OptionalInt(root, "latencyMs", out var latencyProblem);
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
        if (afterProcessing && status != 0)
        {
            return (null, "afterProcessing goes with status 0: the request is handled, then the connection is aborted.");
        }

        return (new Fault(Guid.NewGuid().ToString(), regex, method, status, retryAfter, count, latency, body, afterProcessing), null);
    }

    private static string? OptionalString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s ? s : null;

    private static int? OptionalInt(JsonElement root, string name, out string? problem)
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

    private static Task NoContent(HttpContext context, Action action)
    {
        action();
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    private static Task ErrorAsync(HttpContext context, int status, string message) =>
        WriteJsonAsync(context, status, SandboxJson.Serialize(new JsonObject { ["error"] = message }));

    private static Task WriteJsonAsync(HttpContext context, int status, string json) =>
        SandboxJson.WriteAsync(context, status, json, JsonContentType);
}
