Describe 'The sandbox DNS server and its SandboxTools helpers' -Tag 'SandboxDns' {
    BeforeAll {
        . (Join-Path $PSScriptRoot 'Common.ps1')
        $script:sandbox = Start-MailOAuthSandbox
        $script:endpoint = $sandbox.Info.dns

        function script:Send-DnsQuery {
            # One raw RFC 1035 question over UDP; returns the answer's RCODE and answer count, or $null
            # when nothing came back within $TimeoutMs (a real network wait).
            param([string] $Name, [int] $Type = 16, [int] $TimeoutMs = 2000)
            $host_, $port = $endpoint -split ':'
            $bytes = [System.Collections.Generic.List[byte]]::new()
            $bytes.AddRange([byte[]](0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0))
            foreach ($label in $Name.Split('.')) { $bytes.Add([byte]$label.Length); $bytes.AddRange([Text.Encoding]::ASCII.GetBytes($label)) }
            $bytes.AddRange([byte[]](0, 0, $Type, 0, 1))
            $udp = [System.Net.Sockets.UdpClient]::new()
            try {
                [void]$udp.Send($bytes.ToArray(), $bytes.Count, $host_, [int]$port)
                $receive = $udp.ReceiveAsync()
                if (-not $receive.Wait($TimeoutMs)) { return $null }
                $answer = $receive.Result.Buffer
                [pscustomobject]@{ RCode = $answer[3] -band 0x0F; Answers = $answer[6] * 256 + $answer[7] }
            } finally { $udp.Dispose() }
        }
    }
    AfterAll { if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox } }
    BeforeEach { Reset-MailOAuthSandboxDns -Sandbox $sandbox }

    It 'names its DNS endpoint in the start-up line and serves contoso.com as seeded' {
        $endpoint | Should -Match '^127\.0\.0\.1:\d+$'
        (Get-MailOAuthSandboxDnsRecord -Sandbox $sandbox -Name 'contoso.com').txt | Should -Contain 'v=spf1 include:spf.protection.outlook.com -all'
        (Get-MailOAuthSandboxDnsRecord -Sandbox $sandbox -Name 'selector1._domainkey.contoso.com').cname | Should -Be 'selector1-contoso-com._domainkey.contoso.onmicrosoft.com'
        $answer = Send-DnsQuery -Name 'contoso.com'
        $answer.RCode | Should -Be 0
        $answer.Answers | Should -Be 2
    }

    It 'changes, removes and resets a record, seen by the next query' {
        Set-MailOAuthSandboxDnsRecord -Sandbox $sandbox -Name '_dmarc.contoso.com' -Txt 'v=DMARC1; p=none' | Out-Null
        (Get-MailOAuthSandboxDnsRecord -Sandbox $sandbox -Name '_dmarc.contoso.com').txt | Should -Be 'v=DMARC1; p=none'

        Remove-MailOAuthSandboxDnsRecord -Sandbox $sandbox -Name '_dmarc.contoso.com'
        Get-MailOAuthSandboxDnsRecord -Sandbox $sandbox -Name '_dmarc.contoso.com' | Should -BeNullOrEmpty
        (Send-DnsQuery -Name '_dmarc.contoso.com').RCode | Should -Be 3 # NXDOMAIN

        Reset-MailOAuthSandboxDns -Sandbox $sandbox
        (Get-MailOAuthSandboxDnsRecord -Sandbox $sandbox -Name '_dmarc.contoso.com').txt | Should -Match 'p=quarantine'
    }

    It 'refuses a name with both TXT and a CNAME' {
        { Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method PUT -Path '/_sandbox/dns/records/x.example' -Body @{ txt = @('a'); cname = 'b.example' } } |
            Should -Throw '*answered 400*'
    }

    It 'holds queries unanswered while answering is off (a 1 s real wait), and answers again when on' {
        Set-MailOAuthSandboxDnsAnswering -Sandbox $sandbox -Answering $false
        Send-DnsQuery -Name 'contoso.com' -TimeoutMs 1000 | Should -BeNullOrEmpty
        Set-MailOAuthSandboxDnsAnswering -Sandbox $sandbox -Answering $true
        (Send-DnsQuery -Name 'contoso.com').RCode | Should -Be 0
    }
}
