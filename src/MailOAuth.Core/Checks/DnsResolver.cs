using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using DnsClient;
using DnsClient.Protocol;

namespace MailOAuth.Core.Checks;

/// <summary>
/// <see cref="IDnsLookup"/> over DnsClient.NET: the system's resolvers or the given servers, no
/// cache (a record just changed is seen), a bounded timeout and retry count per question, so a
/// resolver that never answers costs at most <c>servers × (retries + 1) × timeout</c>.
/// </summary>
internal sealed class DnsResolver : IDnsLookup
{
    private readonly LookupClient _client;

    private DnsResolver(LookupClient client, string servers)
    {
        _client = client;
        Servers = servers;
    }

    /// <summary>Who is asked, for messages: "127.0.0.1:5353" or "the system resolver (…)".</summary>
    public string Servers { get; }

    /// <summary>A resolver for <paramref name="servers"/> (IP addresses, host[:port]); none: the system's.</summary>
    public static DnsResolver Create(IReadOnlyList<IPEndPoint>? servers, TimeSpan timeout, int retries)
    {
        var options = servers is { Count: > 0 } ? new LookupClientOptions(servers.ToArray()) : new LookupClientOptions();
        options.UseCache = false;
        options.Timeout = timeout;
        options.Retries = retries;
        options.ThrowDnsErrors = false;
        options.UseTcpFallback = true;
        // An empty answer is an answer (NODATA): asking the next server would only cost time.
        options.ContinueOnEmptyResponse = false;
        var client = new LookupClient(options);
        var names = client.NameServers.Select(n => n.ToString()).ToList();
        var described = servers is { Count: > 0 }
            ? string.Join(", ", names)
            : "the system resolver" + (names.Count > 0 ? " (" + string.Join(", ", names) + ")" : "");
        return new DnsResolver(client, described);
    }

    public Task<DnsAnswer> TxtAsync(string name, CancellationToken ct) =>
        AskAsync(name, QueryType.TXT, response => DnsAnswer.OfTxt(response.Answers.TxtRecords()
            .Where(r => string.Equals(Trim(r.DomainName.Value), Trim(name), StringComparison.OrdinalIgnoreCase))
            .Select(r => string.Concat(r.Text))
            .ToList()), ct);

    public Task<DnsAnswer> CnameAsync(string name, CancellationToken ct) =>
        AskAsync(name, QueryType.CNAME, response => DnsAnswer.OfCname(response.Answers.CnameRecords()
            .Where(r => string.Equals(Trim(r.DomainName.Value), Trim(name), StringComparison.OrdinalIgnoreCase))
            .Select(r => Trim(r.CanonicalName.Value).ToLowerInvariant())
            .FirstOrDefault()), ct);

    private async Task<DnsAnswer> AskAsync(string name, QueryType type, Func<IDnsQueryResponse, DnsAnswer> read, CancellationToken ct)
    {
        IDnsQueryResponse response;
        try
        {
            response = await _client.QueryAsync(name, type, QueryClass.IN, ct).ConfigureAwait(false);
        }
        catch (DnsResponseException e)
        {
            // DnsClient reports a cancelled question as a timeout: the caller's cancellation (or the
            // check's budget) is not the server's silence.
            ct.ThrowIfCancellationRequested();
            // Timeouts and unreachable servers (docs/service-behaviour.md#dns): no answer, not a finding.
            return DnsAnswer.Unanswered(e.Code == DnsResponseCode.ConnectionTimeout
                ? $"{Servers} did not answer (timed out) for {type} {name}"
                : $"{Servers} gave no usable answer for {type} {name}: {FirstLine(e.Message)}");
        }
        catch (SocketException e)
        {
            ct.ThrowIfCancellationRequested();
            return DnsAnswer.Unanswered($"{Servers} could not be reached for {type} {name}: {e.SocketErrorCode}");
        }

        return response.Header.ResponseCode switch
        {
            DnsHeaderResponseCode.NoError => read(response),
            DnsHeaderResponseCode.NotExistentDomain => DnsAnswer.NotFound,
            var code => DnsAnswer.Unanswered($"{Servers} answered {code} for {type} {name}"),
        };
    }

    /// <summary>
    /// Parses -DnsServer values: an IP address (port 53), <c>address:port</c>, <c>[v6]:port</c>, or
    /// <c>host[:port]</c> (the host looked up through the system). Null and a problem when one is unusable.
    /// </summary>
    public static bool TryParseServer(string value, out string? host, out int port, out IPAddress? address, out string? problem)
    {
        host = null;
        address = null;
        port = 53;
        problem = null;
        var text = (value ?? "").Trim();
        if (text.Length == 0)
        {
            problem = "an empty DNS server name";
            return false;
        }

        if (IPAddress.TryParse(text, out var literal) && (literal.AddressFamily == AddressFamily.InterNetworkV6 ? !text.Contains("]") : text.Count(c => c == ':') == 0))
        {
            address = literal;
            return true;
        }

        string hostPart = text;
        string? portPart = null;
        if (text.StartsWith("[", StringComparison.Ordinal))
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                problem = $"'{value}' is not host[:port]";
                return false;
            }

            hostPart = text.Substring(1, close - 1);
            var rest = text.Substring(close + 1);
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(":", StringComparison.Ordinal)) { problem = $"'{value}' is not host[:port]"; return false; }
                portPart = rest.Substring(1);
            }
        }
        else if (text.Count(c => c == ':') == 1)
        {
            var colon = text.IndexOf(':');
            hostPart = text.Substring(0, colon);
            portPart = text.Substring(colon + 1);
        }
        else if (text.Contains(":"))
        {
            // An IPv6 address with a port must be bracketed.
            if (IPAddress.TryParse(text, out literal)) { address = literal; return true; }
            problem = $"'{value}' is not host[:port] (write an IPv6 address with a port as [address]:port)";
            return false;
        }

        if (portPart is not null && (!int.TryParse(portPart, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port < 1 || port > 65535))
        {
            problem = $"'{value}' has no valid port (1 to 65535)";
            return false;
        }

        if (IPAddress.TryParse(hostPart, out literal))
        {
            address = literal;
            return true;
        }

        if (hostPart.Length == 0 || Uri.CheckHostName(hostPart) != UriHostNameType.Dns)
        {
            problem = $"'{value}' is not host[:port]";
            return false;
        }

        host = hostPart;
        return true;
    }

    public static string Describe(IPEndPoint endpoint) =>
        endpoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{endpoint.Address}]:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{endpoint.Address}:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}";

    private static string Trim(string name) => name.TrimEnd('.');

    private static string FirstLine(string text)
    {
        var newline = text.IndexOfAny(new[] { '\r', '\n' });
        return (newline < 0 ? text : text.Substring(0, newline)).TrimEnd('.');
    }
}
