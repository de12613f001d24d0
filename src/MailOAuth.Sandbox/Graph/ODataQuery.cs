using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MailOAuth.Sandbox.Graph;

/// <summary>
/// What an entity type exposes to OData queries: its set and type names, the properties in
/// output order, the default projection (null = all) and the properties <c>$filter</c> accepts.
/// </summary>
public sealed record EntitySchema(
    string EntitySet,
    string TypeName,
    IReadOnlyList<string> Properties,
    IReadOnlyList<string>? DefaultProperties,
    IReadOnlySet<string> Filterable);

/// <summary>
/// The query options the sandbox supports on directory collections: <c>$filter</c> (<c>p eq 'v'</c>
/// with <c>''</c> escaping, <c>startswith(p,'v')</c>, <c>c/any(x:x eq 'v')</c>, joined by
/// <c>and</c>; directory string comparisons are case-insensitive), <c>$select</c>, <c>$top</c>
/// (1-999), <c>$count</c> and paging with <c>$skiptoken</c> / <c>@odata.nextLink</c>.
/// </summary>
public sealed partial class ODataQuery
{
    private const int DefaultPageSize = 100;

    private readonly List<Func<JsonObject, bool>> _clauses = [];

    private ODataQuery(EntitySchema schema) => Schema = schema;

    public EntitySchema Schema { get; }

    /// <summary>The selected properties in canonical spelling, or null (default projection).</summary>
    public IReadOnlyList<string>? Select { get; private set; }

    public int PageSize { get; private set; } = DefaultPageSize;

    public int Skip { get; private set; }

    public bool Count { get; private set; }

    public static (ODataQuery? Query, GraphError? Error) Parse(IQueryCollection query, EntitySchema schema, bool collection)
    {
        var result = new ODataQuery(schema);
        if (Option(query, "select") is { } select && (result.Select = ParseSelect(select, schema, out var selectError)) is null)
        {
            return (null, selectError);
        }

        if (!collection)
        {
            return (result, null);
        }

        if (Option(query, "filter") is { } filter && result.ParseFilter(filter) is { } filterError)
        {
            return (null, filterError);
        }

        if (Option(query, "top") is { } top)
        {
            if (!int.TryParse(top, NumberStyles.None, CultureInfo.InvariantCulture, out var size) || size is < 1 or > 999)
            {
                return (null, GraphError.InvalidPageSize(top));
            }

            result.PageSize = size;
        }

        if (Option(query, "skiptoken") is { } skipToken)
        {
            try
            {
                result.Skip = int.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(skipToken)), CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is FormatException or OverflowException)
            {
                return (null, GraphError.BadRequest("Invalid skip token.")); // INFERRED
            }
        }

        result.Count = string.Equals(Option(query, "count"), "true", StringComparison.OrdinalIgnoreCase);
        return (result, null);
    }

    /// <summary>The collection response: filtered, paged and projected, with the context URL.</summary>
    public JsonObject Collection(HttpContext http, string metadata, string contextPath, IEnumerable<JsonObject> entities)
    {
        var matching = entities.Where(e => _clauses.All(c => c(e))).ToList();
        var page = matching.Skip(Skip).Take(PageSize).ToList();
        var body = new JsonObject { ["@odata.context"] = metadata + contextPath + SelectSuffix };
        if (Count)
        {
            body["@odata.count"] = matching.Count;
        }

        if (Skip + page.Count < matching.Count)
        {
            body["@odata.nextLink"] = NextLink(http, Skip + page.Count);
        }

        body["value"] = new JsonArray([.. page.Select(e => (JsonNode)Project(e))]);
        return body;
    }

    /// <summary>One entity with its <c>@odata.context</c> (<c>…#set/$entity</c> or <c>…#set(a,b)/$entity</c>).</summary>
    public JsonObject Entity(string metadata, string contextPath, JsonObject entity)
    {
        var body = new JsonObject { ["@odata.context"] = $"{metadata}{contextPath}{SelectSuffix}/$entity" };
        foreach (var (name, value) in Project(entity))
        {
            body[name] = value?.DeepClone();
        }

        return body;
    }

    /// <summary>Only the selected properties, or the default projection, in schema order.</summary>
    public JsonObject Project(JsonObject entity)
    {
        var wanted = Select ?? Schema.DefaultProperties;
        if (wanted is null)
        {
            return entity;
        }

        var projected = new JsonObject();
        foreach (var name in Schema.Properties.Where(p => wanted.Contains(p)))
        {
            projected[name] = entity[name]?.DeepClone();
        }

        return projected;
    }

    private string SelectSuffix => Select is null ? "" : $"({string.Join(',', Select)})";

    private static string? Option(IQueryCollection query, string name)
    {
        // $select and select are both accepted by Graph v1.0.
        var value = query["$" + name].ToString();
        if (value.Length == 0)
        {
            value = query[name].ToString();
        }

        return value.Length == 0 ? null : value;
    }

    private static List<string>? ParseSelect(string select, EntitySchema schema, out GraphError? error)
    {
        error = null;
        var selected = new List<string>();
        foreach (var item in select.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var canonical = schema.Properties.FirstOrDefault(p => string.Equals(p, item, StringComparison.OrdinalIgnoreCase));
            if (canonical is null)
            {
                error = GraphError.UnknownSelectProperty(item, schema.TypeName);
                return null;
            }

            if (!selected.Contains(canonical))
            {
                selected.Add(canonical);
            }
        }

        return selected;
    }

    private GraphError? ParseFilter(string filter)
    {
        foreach (var clause in SplitAnd(filter))
        {
            Func<JsonObject, bool>? predicate = null;
            if (Equality().Match(clause) is { Success: true } eq)
            {
                predicate = Filterable(eq.Groups["p"].Value) is { } property ? Scalar(property, Unquote(eq.Groups["v"].Value), startsWith: false) : null;
            }
            else if (StartsWith().Match(clause) is { Success: true } sw)
            {
                predicate = Filterable(sw.Groups["p"].Value) is { } property ? Scalar(property, Unquote(sw.Groups["v"].Value), startsWith: true) : null;
            }
            else if (Any().Match(clause) is { Success: true } any && any.Groups["x"].Value == any.Groups["y"].Value)
            {
                predicate = Filterable(any.Groups["p"].Value) is { } property ? Contains(property, Unquote(any.Groups["v"].Value)) : null;
            }

            if (predicate is null)
            {
                return GraphError.UnsupportedFilter(clause);
            }

            _clauses.Add(predicate);
        }

        return null;
    }

    private string? Filterable(string property) =>
        Schema.Filterable.FirstOrDefault(p => string.Equals(p, property, StringComparison.OrdinalIgnoreCase));

    private static Func<JsonObject, bool> Scalar(string property, string value, bool startsWith) => entity =>
        entity[property] is JsonValue v && v.TryGetValue<string>(out var text)
        && (startsWith ? text.StartsWith(value, StringComparison.OrdinalIgnoreCase) : string.Equals(text, value, StringComparison.OrdinalIgnoreCase));

    private static Func<JsonObject, bool> Contains(string property, string value) => entity =>
        entity[property] is JsonArray array
        && array.Any(item => item is JsonValue v && v.TryGetValue<string>(out var text) && string.Equals(text, value, StringComparison.OrdinalIgnoreCase));

    private static string Unquote(string quoted) => quoted.Replace("''", "'");

    /// <summary>Splits on <c> and </c> outside quotes.</summary>
    private static IEnumerable<string> SplitAnd(string filter)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < filter.Length; i++)
        {
            if (filter[i] == '\'')
            {
                quoted = !quoted;
            }
            else if (!quoted && i + 5 <= filter.Length && string.Equals(filter.Substring(i, 5), " and ", StringComparison.OrdinalIgnoreCase))
            {
                yield return filter[start..i].Trim();
                start = i + 5;
                i += 4;
            }
        }

        yield return filter[start..].Trim();
    }

    private static string NextLink(HttpContext http, int skip)
    {
        var request = http.Request;
        var parts = request.Query
            .Where(q => !string.Equals(q.Key.TrimStart('$'), "skiptoken", StringComparison.OrdinalIgnoreCase))
            .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
            .Append("$skiptoken=" + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(skip.ToString(CultureInfo.InvariantCulture))));
        return $"{request.Scheme}://{request.Host}{request.PathBase}{request.Path}?{string.Join('&', parts)}";
    }

    [GeneratedRegex(@"^\(?\s*(?<p>[A-Za-z][A-Za-z0-9]*)\s+eq\s+'(?<v>(?:[^']|'')*)'\s*\)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Equality();

    [GeneratedRegex(@"^startswith\(\s*(?<p>[A-Za-z][A-Za-z0-9]*)\s*,\s*'(?<v>(?:[^']|'')*)'\s*\)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex StartsWith();

    [GeneratedRegex(@"^(?<p>[A-Za-z][A-Za-z0-9]*)/any\(\s*(?<x>[A-Za-z]\w*)\s*:\s*(?<y>[A-Za-z]\w*)\s+eq\s+'(?<v>(?:[^']|'')*)'\s*\)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Any();
}
