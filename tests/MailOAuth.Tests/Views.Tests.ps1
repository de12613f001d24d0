# The default views: every output type, rendered at Out-String -Width 120 from real objects the cmdlets
# wrote against the sandbox, shows its key values whole (identifiers, request-id, secret hint, dates) in a
# culture-neutral sortable form; and Get-MailOAuthApp's output exports flat (Export-Csv, ConvertTo-Json).

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    function script:Format-UtcMinute([object] $Value) {
        ([DateTimeOffset] $Value).ToUniversalTime().ToString("yyyy-MM-dd HH:mm 'UTC'", [cultureinfo]::InvariantCulture)
    }

    # Renders one object at 120 columns under a culture whose own date format differs from the views'.
    function script:Show-At120($InputObject) {
        $saved = [cultureinfo]::CurrentCulture
        try {
            [cultureinfo]::CurrentCulture = [cultureinfo]::GetCultureInfo('de-DE')
            $InputObject | Out-String -Width 120
        }
        finally { [cultureinfo]::CurrentCulture = $saved }
    }

    # The rendering fits 120 columns, is a table (a header line), and holds every key value whole on one line.
    function script:Assert-Whole($InputObject, [string[]] $Value) {
        $text = Show-At120 $InputObject
        $lines = @($text -split '\r?\n')
        foreach ($line in $lines) { $line.Length | Should -BeLessOrEqual 120 -Because "'$line'" }
        @($lines | Where-Object { $_ -match '^-+( +-+)+ *$' }).Count | Should -Be 1 -Because "a table view:`n$text"
        foreach ($v in $Value) {
            $v | Should -Not -BeNullOrEmpty -Because 'a key value to look for'
            @($lines | Where-Object { $_.Contains($v) }).Count | Should -BeGreaterThan 0 -Because "'$v' is whole in:`n$text"
        }
        $script:rendered[$InputObject.GetType().FullName] = $true
    }

    $script:rendered = @{}
    $script:sandbox = Start-MailOAuthSandbox
    Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
    $script:info = $sandbox.Info
    $script:platform = @{ PlatformUri = $info.platform.uri; ApiToken = (ConvertTo-TestSecret $info.platform.apiToken) }
    $script:connection = Connect-SandboxAdmin -Sandbox $sandbox
    # A long name and address, so the flexible columns are the ones that give way.
    $script:app = New-MailOAuthApp -DisplayName "Views $([guid]::NewGuid().ToString('N'))" -SenderAddress $info.mailboxes.licensed
    $script:consent = $app | Grant-MailSendConsent
    $script:granted = $app | Grant-MailSendConsent -PassThru
    $script:setting = $granted | Set-ResellerSmtpSetting @platform
    $script:configured = $granted | Set-ResellerSmtpSetting @platform -PlatformProfile (Join-Path $PSScriptRoot '../../examples/profiles/acme-panel.json') -PassThru
}

AfterAll {
    Disconnect-MailOAuth
    if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
}

Describe 'Views at 120 columns' -Tag 'Views' {
    It 'MailOAuthEnvironmentInfo: name and endpoints' {
        $e = Get-MailOAuthEnvironment -Name Sandbox
        Assert-Whole $e @($e.Name, $e.AuthorityHost.AbsoluteUri, $e.GraphEndpoint.AbsoluteUri)
    }

    It 'MailOAuthConnection: tenant, identity and every permission' {
        $connection.Roles.Count | Should -BeGreaterThan 1
        Assert-Whole $connection (@($connection.TenantId, $connection.ClientId, $connection.Environment) + $connection.Roles)
    }

    It 'MailOAuthApp: client ID, secret hint and SecretExpiresOn' {
        Assert-Whole $app @($app.ClientId, "$($app.SecretHint)…", (Format-UtcMinute $app.SecretExpiresOn), $app.Provisioning)
    }

    It 'MailOAuthConsent and MailOAuthConsentedApp: client ID, permission, sender and secret hint' {
        Assert-Whole $consent @($consent.ClientId, $consent.Permission, $consent.SendScope)
        # Scoped to the sender (issue 11): the scope column names the mailbox, whole.
        $scoped = Grant-MailSendConsent -ClientId $info.apps.scoped.clientId -SenderAddress $info.mailboxes.licensed -Scope Mailbox
        $scoped.SendScope | Should -Be "Mailbox: $($info.mailboxes.licensed)"
        Assert-Whole $scoped @($scoped.ClientId, $scoped.Permission, $info.mailboxes.licensed)
        # Staged (-KeepTenantGrant): still tenant-wide in effect, and the column says it is staged.
        $staged = $app | Grant-MailSendConsent -SenderAddress $info.mailboxes.licensed -Scope Mailbox -KeepTenantGrant -WarningAction SilentlyContinue
        $staged.ScopeStage | Should -Be 'Staged'
        Assert-Whole $staged @($staged.ClientId, $staged.Permission, 'Tenant (staged)')
        Assert-Whole $granted @($granted.ClientId, $granted.SenderAddress, "$($granted.SecretHint)…")
    }

    It 'ResellerSmtpSetting: client ID, the whole secret hint and UpdatedAt' {
        $setting.ClientSecretHint.Length | Should -BeGreaterOrEqual 3
        $got = $configured | Get-ResellerSmtpSetting
        foreach ($s in $setting, $got) {
            Assert-Whole $s @($s.ClientId, $s.SenderAddress, "$($s.ClientSecretHint)…", (Format-UtcMinute $s.UpdatedAt), $s.PlatformUri.AbsoluteUri)
        }
    }

    It 'ResellerSmtpConfiguredApp: platform, client ID, secret hint and profile' {
        Assert-Whole $configured @($configured.PlatformUri.AbsoluteUri, $configured.ClientId, "$($configured.Setting.ClientSecretHint)…", 'acme-panel.json')
    }

    It 'ResellerTestResult: message ID and SentAt' {
        $r = $configured | Send-ResellerTestEmail -To 'admin@contoso.com'
        Assert-Whole $r @($r.MessageId, (Format-UtcMinute $r.SentAt), 'admin@contoso.com')
    }

    It 'MailOAuthTestResult: the whole request-id and SentAt' {
        $r = $granted | Send-MailOAuthTest -To 'admin@contoso.com'
        $r.RequestId | Should -Match '^[0-9a-f-]{36}$'
        Assert-Whole $r @($r.RequestId, (Format-UtcMinute $r.SentAt), $r.SenderAddress, 'Accepted')
    }

    It 'MailOAuthAppInfo and MailOAuthSecretInfo: client ID, consent, count, expiry; key ID and hint' {
        $a = Get-MailOAuthApp -ClientId $app.ClientId
        Assert-Whole $a @($a.ClientId, $a.Consent, (Format-UtcMinute $a.SecretExpiresOn), "$($a.DaysLeft)")
        $s = $a.Secrets[0]
        Assert-Whole $s @($s.KeyId, "$($s.Hint)…", (Format-UtcMinute $s.ExpiresOn), $s.Description)
    }

    It 'MailOAuthTarget (an error record''s TargetObject): client ID, sender, secret hint and platform' {
        $readOnly = ConvertTo-TestSecret $info.platform.readOnlyApiToken
        $granted | Set-ResellerSmtpSetting -PlatformUri $info.platform.uri -ApiToken $readOnly -ErrorAction SilentlyContinue -ErrorVariable e
        $target = $e[0].TargetObject
        $target | Should -BeOfType 'MailOAuth.Output.MailOAuthTarget'
        Assert-Whole $target @($target.ClientId, $target.SenderAddress, "$($granted.SecretHint)…", $target.PlatformUri.AbsoluteUri)
    }

    It 'MailOAuthCheck: check name, status and diagnosis code' {
        $checks = @($granted | Test-MailOAuthConfiguration -SkipDns -ClientSecret (ConvertTo-TestSecret 'not-the-secret-value-0123456789abcdefgh'))
        $failed = @($checks | Where-Object Status -EQ 'Fail')[0]
        $failed | Should -Not -BeNullOrEmpty
        Assert-Whole $checks[0] @($checks[0].Check, $checks[0].Status)
        Assert-Whole $failed @($failed.Check, $failed.Status, $failed.DiagnosisCode)
    }

    It 'MailOAuthSecret: app, key ID, hint and expiry' {
        $s = @(Get-MailOAuthSecret -ClientId $app.ClientId)[0]
        Assert-Whole $s @($s.KeyId, $s.Hint, ([DateTimeOffset]$s.ExpiresOn).ToString('yyyy-MM-dd'), $s.Status)
    }

    It 'MailOAuthRotatedSecret: client ID, new key ID, hint and expiry' {
        $r = Update-MailOAuthSecret -ClientId $app.ClientId -KeepPrevious -Confirm:$false
        Assert-Whole $r @($r.ClientId, $r.SecretKeyId, $r.SecretHint, $r.SecretExpiresOn.ToString('yyyy-MM-dd'))
    }

    It 'covers every output type the module declares' {
        $types = (Get-Command -Name Get-MailOAuthApp -Module MailOAuth).ImplementingType.Assembly.GetExportedTypes() |
            Where-Object { $_.Namespace -eq 'MailOAuth.Output' -and $_.IsSealed -and -not [Collections.IEnumerable].IsAssignableFrom($_) }
        @($types).Count | Should -BeGreaterThan 10
        foreach ($t in $types) { $rendered.ContainsKey($t.FullName) | Should -BeTrue -Because "$($t.FullName) is rendered at 120 columns above" }
    }
}

Describe 'Get-MailOAuthApp exports flat' -Tag 'Views' {
    BeforeAll {
        $script:apps = @(Get-MailOAuthApp)
        $script:mine = $apps | Where-Object ClientId -EQ $app.ClientId
        $script:plain = [System.Net.NetworkCredential]::new('', $app.ClientSecret).Password
    }

    It 'has the flat secret properties a report needs, counted from when it was read' {
        $mine.SecretCount | Should -Be $mine.Secrets.Count
        $mine.SecretCount | Should -BeGreaterThan 0
        $soonest = @($mine.Secrets | Where-Object { $_.ExpiresOn -gt $mine.AsOf } | Sort-Object ExpiresOn)[0]
        $mine.NextSecretExpiresOn | Should -Be $soonest.ExpiresOn
        $mine.NextSecretDaysLeft | Should -Be ([math]::Floor(($soonest.ExpiresOn - $mine.AsOf).TotalDays))
        $mine.NextSecretDaysLeft | Should -BeGreaterThan 300
        $mine.Secrets | Should -HaveCount $mine.SecretCount
        $mine.Secrets[0] | Should -BeOfType 'MailOAuth.Output.MailOAuthSecretInfo'
    }

    It 'Export-Csv writes no type name in any column, and the secrets column reads as hints and dates' {
        $path = Join-Path $TestDrive 'apps.csv'
        $apps | Export-Csv -LiteralPath $path
        $rows = @(Import-Csv -LiteralPath $path)
        $rows.Count | Should -Be $apps.Count
        foreach ($row in $rows) {
            foreach ($p in $row.PSObject.Properties) { $p.Value | Should -Not -Match '^(System|MailOAuth\.Output)\.' -Because "column $($p.Name)" }
        }
        $row = $rows | Where-Object ClientId -EQ $app.ClientId
        $row.SecretCount | Should -Be "$($mine.SecretCount)"
        $row.NextSecretDaysLeft | Should -Be "$($mine.NextSecretDaysLeft)"
        $row.Secrets | Should -Match ([regex]::Escape("$($app.SecretHint)…"))
        $row.Secrets | Should -Match $app.SecretExpiresOn.ToUniversalTime().ToString('yyyy-MM-dd')
        (Get-Content -Raw -LiteralPath $path) | Should -Not -Match ([regex]::Escape($plain))
    }

    It 'ConvertTo-Json keeps the nested secrets as an array, with no secret value' {
        $json = $apps | ConvertTo-Json -Depth 5
        $json | Should -Not -Match ([regex]::Escape($plain))
        $json | Should -Not -Match 'MailOAuth\.Output\.'
        $back = @($json | ConvertFrom-Json) | Where-Object ClientId -EQ $app.ClientId
        @($back.Secrets).Count | Should -Be $mine.SecretCount
        $back.Secrets[0].KeyId | Should -Be $mine.Secrets[0].KeyId
        $back.SecretCount | Should -Be $mine.SecretCount
    }
}
