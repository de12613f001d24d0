using System.Net;
using System.Net.Sockets;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;

namespace MailOAuth.Sandbox.Dns;

/// <summary>
/// An authoritative DNS server on 127.0.0.1 (UDP and TCP, one port) answering from a
/// <see cref="DnsRecordStore"/>: the ARSoft.Tools.Net <see cref="DnsServer"/>, so clients speak real
/// RFC 1035 to it. TXT and CNAME are served (a CNAME is followed inside the store); a name the store
/// lacks is NXDOMAIN; with <see cref="DnsRecordStore.Answering"/> off, queries go unanswered.
/// </summary>
public sealed class SandboxDnsServer : IDisposable
{
    private const int Ttl = 300;
    private const int MaxPortAttempts = 5;
    private const int MaxCnameHops = 8;

    private readonly DnsServer _server;
    private readonly DnsRecordStore _store;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _queries;

    private SandboxDnsServer(DnsServer server, DnsRecordStore store, int port)
    {
        _server = server;
        _store = store;
        Port = port;
    }

    /// <summary>What this server answers from.</summary>
    public DnsRecordStore Records => _store;

    /// <summary>Questions received since start or the last <see cref="ResetQueryCount"/> (UDP and TCP; the benchmark reads it).</summary>
    public long QueryCount => Interlocked.Read(ref _queries);

    /// <summary>Starts counting questions from zero again.</summary>
    public void ResetQueryCount() => Interlocked.Exchange(ref _queries, 0);

    /// <summary>The port, the same for UDP and TCP.</summary>
    public int Port { get; }

    /// <summary>host:port, as a resolver option takes it (e.g. 127.0.0.1:5353).</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Starts on <paramref name="port"/>, or on a free port (0), retrying a taken one a bounded number of times.</summary>
    public static SandboxDnsServer Start(DnsRecordStore store, int port = 0)
    {
        for (var attempt = 1; ; attempt++)
        {
            var chosen = port != 0 ? port : FreeUdpAndTcpPort();
            DnsServer? server = null;
            try
            {
                var endpoint = new IPEndPoint(IPAddress.Loopback, chosen);
                server = new DnsServer(new UdpServerTransport(endpoint), new TcpServerTransport(endpoint));
                var running = new SandboxDnsServer(server, store, chosen);
                server.QueryReceived += running.OnQueryReceivedAsync;
                server.Start();
                return running;
            }
            catch (SocketException e) when (port == 0 && attempt < MaxPortAttempts && e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                server?.Stop();
            }
        }
    }

    /// <summary>A port free for both UDP and TCP on 127.0.0.1 now (the system's choice for UDP, TCP checked).</summary>
    private static int FreeUdpAndTcpPort()
    {
        for (var attempt = 1; ; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException) when (attempt < MaxPortAttempts)
            {
            }
        }
    }

    private async Task OnQueryReceivedAsync(object sender, QueryReceivedEventArgs e)
    {
        if (e.Query is not DnsMessage query)
        {
            return;
        }

        Interlocked.Increment(ref _queries);

        // Not answering: hold the query (a null Response would make the server send SERVFAIL, which
        // is an answer). A query held past the client's timeout is answered to nobody, harmlessly.
        var answering = _store.WhenAnswering;
        if (!answering.IsCompleted)
        {
            await Task.WhenAny(answering, _stopped.Task);
            if (_stopped.Task.IsCompleted)
            {
                return;
            }
        }

        var response = query.CreateResponseInstance();
        response.IsAuthoritiveAnswer = true;
        if (query.Questions.Count != 1)
        {
            response.ReturnCode = ReturnCode.FormatError;
            e.Response = response;
            return;
        }

        var question = query.Questions[0];
        response.ReturnCode = Answer(question.Name.ToString(), question.RecordType, response.AnswerRecords);
        e.Response = response;
    }

    /// <summary>Adds the answer for (<paramref name="name"/>, <paramref name="type"/>) and returns the return code.</summary>
    private ReturnCode Answer(string name, RecordType type, List<DnsRecordBase> answers)
    {
        for (var hop = 0; hop < MaxCnameHops; hop++)
        {
            var records = _store.Find(name);
            if (records is null)
            {
                // The first name missing is NXDOMAIN; a CNAME target outside the store is just the CNAME.
                return hop == 0 ? ReturnCode.NxDomain : ReturnCode.NoError;
            }

            var owner = DomainName.Parse(DnsRecordStore.Normalize(name));
            if (records.Cname is { } target)
            {
                answers.Add(new CNameRecord(owner, Ttl, DomainName.Parse(target)));
                if (type == RecordType.CName)
                {
                    return ReturnCode.NoError;
                }

                name = target;
                continue;
            }

            if (type is RecordType.Txt or RecordType.Any)
            {
                foreach (var text in records.Txt)
                {
                    answers.Add(new TxtRecord(owner, Ttl, Split(text)));
                }
            }

            return ReturnCode.NoError;
        }

        return ReturnCode.ServerFailure;
    }

    /// <summary>A TXT record's character-strings are at most 255 octets each (RFC 1035 §3.3.14).</summary>
    private static IEnumerable<string> Split(string text)
    {
        if (text.Length == 0)
        {
            yield return text;
        }

        for (var i = 0; i < text.Length; i += 255)
        {
            yield return text.Substring(i, Math.Min(255, text.Length - i));
        }
    }

    public void Dispose()
    {
        _stopped.TrySetResult();
        _server.Stop();
    }
}
