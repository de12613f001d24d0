using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MailOAuth.Sandbox.Dns;
using MailOAuth.Sandbox.Hosting;

namespace MailOAuth.Sandbox.Control;

/// <summary>
/// <c>/_sandbox/dns</c>: read and change the DNS server's records, and switch its answering off and
/// on (docs/sandbox.md "DNS"). Changes take effect for the next query (no caching here).
/// </summary>
public static partial class DnsEndpoints
{
    public static void Map(IEndpointRouteBuilder routes, SandboxRuntime runtime)
    {
        var store = runtime.DnsRecords;
        routes.MapGet("/_sandbox/dns", context => ControlHttp.WriteJsonAsync(context, 200, SandboxJson.Serialize(new JsonObject
        {
            ["endpoint"] = runtime.DnsServer.Endpoint,
            ["answering"] = store.Answering,
            ["queries"] = runtime.DnsServer.QueryCount,
            ["records"] = new JsonArray(store.Snapshot().Select(p => (JsonNode)ToJson(p.Key, p.Value)).ToArray()),
        })));
        routes.MapGet("/_sandbox/dns/records/{name}", context => WithName(context, name => store.Find(name) is { IsEmpty: false } records
            ? ControlHttp.WriteJsonAsync(context, 200, SandboxJson.Serialize(ToJson(DnsRecordStore.Normalize(name), records)))
            : ControlHttp.ErrorAsync(context, 404, $"No records at '{name}'.")));
        routes.MapPut("/_sandbox/dns/records/{name}", context => WithName(context, name => SetAsync(context, store, name)));
        routes.MapDelete("/_sandbox/dns/records/{name}", context => WithName(context, name => store.Remove(name)
            ? ControlHttp.NoContent(context, () => { })
            : ControlHttp.ErrorAsync(context, 404, $"No records at '{name}'.")));
        routes.MapPost("/_sandbox/dns/answering", context => SetAnsweringAsync(context, store));
        routes.MapPost("/_sandbox/dns/reset", context => ControlHttp.NoContent(context, store.Reset));
        routes.MapDelete("/_sandbox/dns/queries", context => ControlHttp.NoContent(context, runtime.DnsServer.ResetQueryCount));
        routes.MapGet("/_sandbox/dns/service-records", context => ControlHttp.WriteJsonAsync(context, 200, ServiceRecordsJson(runtime)));
        routes.MapPost("/_sandbox/dns/service-records", context => SetServiceRecordsAsync(context, runtime));
    }

    private static string ServiceRecordsJson(SandboxRuntime runtime) => SandboxJson.Serialize(new JsonObject { ["spf"] = runtime.Directory.ExpectedSpf });

    /// <summary>
    /// <c>POST /_sandbox/dns/service-records {"spf": "v=spf1 …"}</c>: the SPF text Graph's serviceConfigurationRecords
    /// state for the verified domains (null restores the default); what Microsoft 365 expects, not what DNS serves.
    /// </summary>
    private static async Task SetServiceRecordsAsync(HttpContext context, SandboxRuntime runtime)
    {
        var (root, problem) = await ControlHttp.ReadObjectAsync(context);
        var spf = problem is null ? ControlHttp.OptionalString(root, "spf") : null;
        if (problem is null && spf is not null && string.IsNullOrWhiteSpace(spf))
        {
            problem = "spf must be the record's text, or null for the default.";
        }

        if (problem is not null)
        {
            await ControlHttp.ErrorAsync(context, 400, problem);
            return;
        }

        runtime.Directory.ExpectedSpf = spf ?? Tenancy.DirectoryStore.DefaultExpectedSpf;
        await ControlHttp.WriteJsonAsync(context, 200, ServiceRecordsJson(runtime));
    }

    /// <summary><c>PUT /_sandbox/dns/records/{name} {"txt": ["…"], "cname": "…"}</c>: replaces the name's records; neither given removes them.</summary>
    private static async Task SetAsync(HttpContext context, DnsRecordStore store, string name)
    {
        var (root, problem) = await ControlHttp.ReadObjectAsync(context);
        var txt = new List<string>();
        if (problem is null && root.TryGetProperty("txt", out var texts) && texts.ValueKind != JsonValueKind.Null)
        {
            if (texts.ValueKind != JsonValueKind.Array || texts.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String))
            {
                problem = "txt must be an array of strings (one per TXT record).";
            }
            else
            {
                txt.AddRange(texts.EnumerateArray().Select(t => t.GetString()!));
            }
        }

        var cname = problem is null ? ControlHttp.OptionalString(root, "cname") : null;
        if (problem is null && cname is not null && !IsRecordName(cname))
        {
            problem = "cname must be a DNS name.";
        }

        if (problem is null && cname is not null && txt.Count > 0)
        {
            problem = "A name with a CNAME has no other records (RFC 1034 §3.6.2): give txt or cname, not both.";
        }

        if (problem is not null)
        {
            await ControlHttp.ErrorAsync(context, 400, problem);
            return;
        }

        var records = new DnsNameRecords(txt, cname is null ? null : DnsRecordStore.Normalize(cname));
        store.Set(name, records);
        await ControlHttp.WriteJsonAsync(context, 200, SandboxJson.Serialize(ToJson(DnsRecordStore.Normalize(name), records)));
    }

    /// <summary><c>POST /_sandbox/dns/answering {"answering": false}</c>: queries are dropped unanswered until switched on again.</summary>
    private static async Task SetAnsweringAsync(HttpContext context, DnsRecordStore store)
    {
        var (root, problem) = await ControlHttp.ReadObjectAsync(context);
        if (problem is null && (!root.TryGetProperty("answering", out var answering) || answering.ValueKind is not (JsonValueKind.True or JsonValueKind.False)))
        {
            problem = "answering (true or false) is required.";
        }

        if (problem is not null)
        {
            await ControlHttp.ErrorAsync(context, 400, problem);
            return;
        }

        store.Answering = root.GetProperty("answering").GetBoolean();
        await ControlHttp.WriteJsonAsync(context, 200, SandboxJson.Serialize(new JsonObject { ["answering"] = store.Answering }));
    }

    private static Task WithName(HttpContext context, Func<string, Task> action)
    {
        var name = context.GetRouteValue("name") as string ?? "";
        return IsRecordName(name) ? action(name) : ControlHttp.ErrorAsync(context, 400, $"'{name}' is not a DNS name.");
    }

    private static JsonObject ToJson(string name, DnsNameRecords records) => new()
    {
        ["name"] = name,
        ["txt"] = new JsonArray(records.Txt.Select(t => (JsonNode)JsonValue.Create(t)).ToArray()),
        ["cname"] = records.Cname,
    };

    /// <summary>Labels of letters, digits, hyphens and underscores (record names such as <c>_dmarc.contoso.com</c>), 253 characters at most.</summary>
    private static bool IsRecordName(string name) => name.Length is > 0 and <= 254 && RecordName().IsMatch(name);

    [GeneratedRegex(@"^(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.)*[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?\.?\z", RegexOptions.CultureInvariant)]
    private static partial Regex RecordName();
}
