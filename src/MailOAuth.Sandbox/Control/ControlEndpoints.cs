using System.Text.Json.Nodes;
using MailOAuth.Sandbox.Hosting;
using MailOAuth.Sandbox.Platform;
using MailOAuth.Sandbox.Tenancy;

namespace MailOAuth.Sandbox.Control;

/// <summary>The <c>/_sandbox/*</c> endpoints (docs/sandbox.md "Control endpoints"). Not logged.</summary>
public static class ControlEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, SandboxRuntime runtime, string infoJson)
    {
        routes.MapGet("/_sandbox/outbox", context => ControlHttp.WriteJsonAsync(context, 200, SandboxJson.Serialize(runtime.Outbox.Snapshot())));
        routes.MapDelete("/_sandbox/outbox", context => ControlHttp.NoContent(context, runtime.Outbox.Clear));

        routes.MapGet("/_sandbox/requests", context => ControlHttp.WriteJsonAsync(context, 200, SandboxJson.Serialize(runtime.RequestLog.Snapshot())));
        routes.MapDelete("/_sandbox/requests", context => ControlHttp.NoContent(context, runtime.RequestLog.Clear));

        routes.MapPost("/_sandbox/faults", context => FaultEndpoints.AddAsync(context, runtime));
        routes.MapGet("/_sandbox/faults", context => ControlHttp.WriteJsonAsync(context, 200, SandboxJson.Serialize(
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
        routes.MapDelete("/_sandbox/faults", context => ControlHttp.NoContent(context, runtime.Faults.Clear));
        routes.MapDelete("/_sandbox/faults/{id}", context => runtime.Faults.Remove(context.GetRouteValue("id") as string ?? "")
            ? ControlHttp.NoContent(context, () => { })
            : ControlHttp.ErrorAsync(context, 404, "No such fault."));

        routes.MapPost("/_sandbox/reset", context => ControlHttp.NoContent(context, () =>
        {
            runtime.Faults.Clear();
            runtime.Outbox.Clear();
            runtime.RequestLog.Clear();
        }));

        routes.MapPost("/_sandbox/reset-directory", context => ControlHttp.NoContent(context, runtime.ResetDirectory));
        routes.MapGet("/_sandbox/directory", context => ControlHttp.WriteJsonAsync(context, 200, SandboxJson.Serialize(DirectorySnapshot.Create(runtime))));

        routes.MapGet("/_sandbox/replication", context => ControlHttp.WriteJsonAsync(context, 200, ReplicationJson(runtime)));
        routes.MapPost("/_sandbox/replication", context => SetReplicationAsync(context, runtime));

        routes.MapGet("/_sandbox/exchange", context => ControlHttp.WriteJsonAsync(context, 200, ExchangeJson(runtime)));
        routes.MapPost("/_sandbox/exchange", context => SetExchangeAsync(context, runtime));
        routes.MapPost("/_sandbox/exchange/apply", context =>
        {
            runtime.Directory.ApplyExchangeChanges(runtime.Now);
            return ControlHttp.WriteJsonAsync(context, 200, ExchangeJson(runtime));
        });

        routes.MapGet("/_sandbox/policies/secret-lifetime", context => ControlHttp.WriteJsonAsync(context, 200, SecretLifetimeJson(runtime)));
        routes.MapPost("/_sandbox/policies/secret-lifetime", context => SetSecretLifetimeAsync(context, runtime));
        routes.MapDelete("/_sandbox/policies/secret-lifetime", context => ControlHttp.NoContent(context, runtime.Directory.ClearAppManagementPolicies));

        routes.MapGet("/_sandbox/platform", context => ControlHttp.WriteJsonAsync(context, 200, SandboxJson.Serialize(PlatformEndpoints.Snapshot(runtime.Platform))));
        routes.MapPost("/_sandbox/reset-platform", context => ControlHttp.NoContent(context, runtime.Platform.Reset));

        DnsEndpoints.Map(routes, runtime);

        routes.MapGet("/_sandbox/info", context => ControlHttp.WriteJsonAsync(context, 200, infoJson));
        routes.Map("/_sandbox/{**rest}", context => ControlHttp.ErrorAsync(context, 404, "Unknown control endpoint."));
    }

    /// <summary><c>POST /_sandbox/replication {"lagSeconds": N}</c> → 200 with the new setting (0 = immediate).</summary>
    private static async Task SetReplicationAsync(HttpContext context, SandboxRuntime runtime)
    {
        var (root, problem) = await ControlHttp.ReadObjectAsync(context);
        var lag = problem is null ? ControlHttp.OptionalDouble(root, "lagSeconds", out problem) : null;
        if (problem is null && (lag is null || lag < 0 || double.IsNaN(lag.Value) || lag > TimeSpan.FromDays(1).TotalSeconds))
        {
            problem = "lagSeconds (a number of seconds from 0 to 86400) is required.";
        }

        if (problem is not null)
        {
            await ControlHttp.ErrorAsync(context, 400, problem);
            return;
        }

        var directoryLag = ControlHttp.OptionalDouble(root, "directoryLagSeconds", out problem);
        if (problem is not null || directoryLag is < 0 or > 86400)
        {
            await ControlHttp.ErrorAsync(context, 400, problem ?? "directoryLagSeconds must be from 0 to 86400.");
            return;
        }

        var mailLag = ControlHttp.OptionalDouble(root, "mailLagSeconds", out problem);
        if (problem is not null || mailLag is < 0 or > 86400)
        {
            await ControlHttp.ErrorAsync(context, 400, problem ?? "mailLagSeconds must be from 0 to 86400.");
            return;
        }

        runtime.ReplicationLag = TimeSpan.FromSeconds(lag!.Value);
        runtime.DirectoryWriteLag = directoryLag is null ? null : TimeSpan.FromSeconds(directoryLag.Value);
        runtime.MailLag = TimeSpan.FromSeconds(mailLag ?? 0);
        await ControlHttp.WriteJsonAsync(context, 200, ReplicationJson(runtime));
    }

    private static string ReplicationJson(SandboxRuntime runtime) =>
        SandboxJson.Serialize(new JsonObject
        {
            ["lagSeconds"] = runtime.ReplicationLag.TotalSeconds,
            ["directoryLagSeconds"] = (runtime.DirectoryWriteLag ?? runtime.ReplicationLag).TotalSeconds,
            ["mailLagSeconds"] = runtime.MailLag.TotalSeconds,
        });

    /// <summary><c>POST /_sandbox/exchange {"cacheDelaySeconds": N}</c> → 200 with the Exchange state (docs/sandbox.md "Exchange RBAC for Applications").</summary>
    private static async Task SetExchangeAsync(HttpContext context, SandboxRuntime runtime)
    {
        var (root, problem) = await ControlHttp.ReadObjectAsync(context);
        var delay = problem is null ? ControlHttp.OptionalDouble(root, "cacheDelaySeconds", out problem) : null;
        if (problem is null && (delay is null || delay < 0 || double.IsNaN(delay.Value) || delay > TimeSpan.FromDays(1).TotalSeconds))
        {
            problem = "cacheDelaySeconds (a number of seconds from 0 to 86400) is required.";
        }

        if (problem is not null)
        {
            await ControlHttp.ErrorAsync(context, 400, problem);
            return;
        }

        runtime.Directory.ExchangeCacheDelay = TimeSpan.FromSeconds(delay!.Value);
        await ControlHttp.WriteJsonAsync(context, 200, ExchangeJson(runtime));
    }

    /// <summary>The cache delay, the role definitions, every assignment (applied or not) and the removals sendMail does not see yet.</summary>
    private static string ExchangeJson(SandboxRuntime runtime)
    {
        var directory = runtime.Directory;
        var now = runtime.Now;
        JsonObject Assignment(ExchangeRoleAssignment a) => new()
        {
            ["id"] = a.Id.ToString(),
            ["principalId"] = a.PrincipalId,
            ["roleDefinitionId"] = a.RoleDefinitionId.ToString(),
            ["directoryScopeId"] = a.DirectoryScopeId,
            ["createdDateTime"] = a.CreatedDateTime.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["appliedAt"] = directory.ExchangeAssignmentEffectiveAt(a).UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["applied"] = directory.IsExchangeAssignmentApplied(a, now),
        };

        return SandboxJson.Serialize(new JsonObject
        {
            ["cacheDelaySeconds"] = directory.ExchangeCacheDelay.TotalSeconds,
            ["roleDefinitions"] = new JsonArray([.. directory.ListExchangeRoleDefinitions().Select(d => (JsonNode)new JsonObject
            {
                ["id"] = d.Id.ToString(),
                ["displayName"] = d.DisplayName,
            })]),
            ["assignments"] = new JsonArray([.. directory.ListExchangeRoleAssignments().Select(a => (JsonNode)Assignment(a))]),
            ["pendingRemovals"] = new JsonArray([.. directory.PendingExchangeRemovals(now).Select(r =>
            {
                var json = Assignment(r.Assignment);
                json["removedDateTime"] = r.RemovedDateTime.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
                json["effectiveAt"] = (r.RemovedDateTime + directory.ExchangeCacheDelay).UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture);
                return (JsonNode)json;
            })]),
        });
    }

    /// <summary>
    /// <c>POST /_sandbox/policies/secret-lifetime {"maxDays": N, "blockPasswordAddition": bool, "appId": "…"}</c> → 200
    /// with the policies. Without appId it sets the tenant default app management policy (maxDays and/or
    /// blockPasswordAddition); with appId (a client ID) it assigns that app its own policy, which replaces
    /// the default for it. GET /policies/defaultAppManagementPolicy and /applications/{id}/appManagementPolicies show them.
    /// </summary>
    private static async Task SetSecretLifetimeAsync(HttpContext context, SandboxRuntime runtime)
    {
        var (root, problem) = await ControlHttp.ReadObjectAsync(context);
        var maxDays = problem is null ? ControlHttp.OptionalInt(root, "maxDays", out problem) : null;
        bool? block = null;
        string? appId = null;
        if (problem is null && root.TryGetProperty("blockPasswordAddition", out var b))
        {
            if (b.ValueKind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False) block = b.GetBoolean();
            else problem = "blockPasswordAddition must be true or false.";
        }

        if (problem is null && root.TryGetProperty("appId", out var a))
        {
            appId = a.ValueKind == System.Text.Json.JsonValueKind.String ? a.GetString() : null;
            if (appId is null) problem = "appId must be a client ID (a GUID string).";
        }

        if (problem is null && (maxDays is < 1 || (maxDays is null && block is null)))
        {
            problem = "maxDays (a whole number of days, at least 1) or blockPasswordAddition is required.";
        }

        DirectoryApplication? application = null;
        if (problem is null && appId is not null
            && (!Guid.TryParse(appId, out var clientId) || (application = runtime.Directory.FindApplicationByAppId(clientId)) is null))
        {
            problem = $"No application with client ID '{appId}'.";
        }

        if (problem is not null)
        {
            await ControlHttp.ErrorAsync(context, 400, problem);
            return;
        }

        if (application is not null)
        {
            runtime.Directory.SetAppManagementPolicy(application.ObjectId,
                new AppManagementPolicy(Guid.NewGuid(), $"Secret policy for {application.DisplayName}", maxDays, block ?? false));
        }
        else
        {
            runtime.Directory.SecretLifetimeMaxDays = maxDays;
            runtime.Directory.SecretAdditionBlocked = block ?? false;
        }

        await ControlHttp.WriteJsonAsync(context, 200, SecretLifetimeJson(runtime));
    }

    private static string SecretLifetimeJson(SandboxRuntime runtime) =>
        SandboxJson.Serialize(new JsonObject
        {
            ["maxDays"] = runtime.Directory.SecretLifetimeMaxDays,
            ["blockPasswordAddition"] = runtime.Directory.SecretAdditionBlocked,
            ["apps"] = new JsonArray([.. runtime.Directory.AppManagementPolicies().Select(p => (JsonNode)new JsonObject
            {
                ["objectId"] = p.Key.ToString(),
                ["policyId"] = p.Value.Id.ToString(),
                ["maxDays"] = p.Value.MaxLifetimeDays,
                ["blockPasswordAddition"] = p.Value.BlockPasswordAddition,
            })]),
        });
}
