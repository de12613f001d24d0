using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using MailOAuth.Core.Tests.Entra;
using Xunit;

namespace MailOAuth.Core.Tests.Sandbox;

/// <summary>
/// The sandbox's DNS server speaks RFC 1035 over UDP and TCP (raw messages here, no DNS library on the
/// client side), and its control endpoints refuse what a zone could not hold.
/// </summary>
public sealed class SandboxDnsTests : IClassFixture<CoreSandboxFixture>
{
    private readonly CoreSandboxFixture _sandbox;

    public SandboxDnsTests(CoreSandboxFixture sandbox) => _sandbox = sandbox;

    private IPEndPoint Endpoint => IPEndPoint.Parse(_sandbox.Info.Dns);

    private static byte[] Question(string name, ushort type)
    {
        var message = new List<byte> { 0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0 };
        foreach (var label in name.Split('.'))
        {
            message.Add((byte)label.Length);
            message.AddRange(Encoding.ASCII.GetBytes(label));
        }

        message.AddRange(new byte[] { 0, (byte)(type >> 8), (byte)type, 0, 1 });
        return message.ToArray();
    }

    /// <summary>RCODE, answer count and the TXT character-strings of every answer (joined per record).</summary>
    private static (int RCode, int Answers, List<string> Txt) Read(byte[] m)
    {
        var rcode = m[3] & 0x0F;
        var answers = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(6));
        var i = 12;
        i = SkipName(m, i) + 4; // the question
        var txt = new List<string>();
        for (var a = 0; a < answers; a++)
        {
            i = SkipName(m, i);
            var type = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(i));
            var length = BinaryPrimitives.ReadUInt16BigEndian(m.AsSpan(i + 8));
            var data = i + 10;
            if (type == 16)
            {
                var text = new StringBuilder();
                for (var j = data; j < data + length; j += 1 + m[j]) text.Append(Encoding.ASCII.GetString(m, j + 1, m[j]));
                txt.Add(text.ToString());
            }

            i = data + length;
        }

        return (rcode, answers, txt);
    }

    private static int SkipName(byte[] m, int i)
    {
        while (m[i] != 0)
        {
            if ((m[i] & 0xC0) == 0xC0) return i + 2;
            i += m[i] + 1;
        }

        return i + 1;
    }

    private async Task<byte[]> UdpAsync(byte[] question)
    {
        using var udp = new UdpClient(AddressFamily.InterNetwork);
        await udp.SendAsync(question, Endpoint, CoreSandboxFixture.Timeout(10));
        return (await udp.ReceiveAsync(CoreSandboxFixture.Timeout(10))).Buffer;
    }

    private async Task<byte[]> TcpAsync(byte[] question)
    {
        using var tcp = new TcpClient(AddressFamily.InterNetwork);
        await tcp.ConnectAsync(Endpoint, CoreSandboxFixture.Timeout(10));
        var stream = tcp.GetStream();
        var framed = new byte[question.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)question.Length);
        question.CopyTo(framed, 2);
        await stream.WriteAsync(framed, CoreSandboxFixture.Timeout(10));
        var header = new byte[2];
        await stream.ReadExactlyAsync(header, CoreSandboxFixture.Timeout(10));
        var answer = new byte[BinaryPrimitives.ReadUInt16BigEndian(header)];
        await stream.ReadExactlyAsync(answer, CoreSandboxFixture.Timeout(10));
        return answer;
    }

    [Fact]
    public async Task Contoso_com_TXT_is_answered_the_same_over_UDP_and_TCP()
    {
        var udp = Read(await UdpAsync(Question("contoso.com", 16)));
        var tcp = Read(await TcpAsync(Question("contoso.com", 16)));

        Assert.Equal(0, udp.RCode);
        Assert.Equal(new[] { "v=spf1 include:spf.protection.outlook.com -all", "MS=ms12345678" }, udp.Txt);
        Assert.Equal(udp.Txt, tcp.Txt);
    }

    [Fact]
    public async Task An_unknown_name_is_NXDOMAIN_and_a_parent_of_a_record_is_NODATA()
    {
        Assert.Equal((3, 0), Take(Read(await UdpAsync(Question("nothing-here.example", 16)))));
        Assert.Equal((0, 0), Take(Read(await UdpAsync(Question("_domainkey.contoso.com", 16)))));

        static (int, int) Take((int RCode, int Answers, List<string> Txt) r) => (r.RCode, r.Answers);
    }

    [Fact]
    public async Task A_TXT_record_over_255_characters_is_split_into_strings_and_reassembles_over_TCP()
    {
        var name = $"long-{Guid.NewGuid():N}.example";
        var text = "v=spf1 " + string.Join(" ", Enumerable.Range(0, 60).Select(i => $"ip4:198.51.100.{i}")) + " -all";
        using (var put = await _sandbox.Control.PutAsJsonAsync($"_sandbox/dns/records/{name}", new { txt = new[] { text } }))
        {
            Assert.True(put.IsSuccessStatusCode);
        }

        var answer = Read(await TcpAsync(Question(name, 16)));

        Assert.True(text.Length > 255);
        Assert.Equal(new[] { text }, answer.Txt);
    }

    [Theory]
    [InlineData("{\"txt\":[\"a\"],\"cname\":\"b.example\"}")]
    [InlineData("{\"txt\":\"not an array\"}")]
    [InlineData("{\"cname\":\"not a name!\"}")]
    public async Task A_record_set_a_zone_could_not_hold_is_refused(string body)
    {
        using var response = await _sandbox.Control.PutAsync("_sandbox/dns/records/refused.example", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var get = await _sandbox.Control.GetAsync("_sandbox/dns/records/refused.example");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
    }
}
