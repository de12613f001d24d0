# The typed pipeline: every object a cmdlet writes is of a type its [OutputType] names for the parameter
# set used; -PassThru writes a new object with the values used (the piped object is never changed); the
# README's pipelines bind from what the previous output type declares; error records hold no secret.

BeforeDiscovery {
    Import-Module $env:MAILOAUTH_MODULE_PATH -Force
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    # The [OutputType] types a cmdlet declares for one parameter set (the attribute's own set names, or all).
    function script:Get-DeclaredOutputType([string] $Name, [string] $ParameterSet) {
        $type = (Get-Command -Name $Name -Module MailOAuth).ImplementingType
        foreach ($attribute in $type.GetCustomAttributes([System.Management.Automation.OutputTypeAttribute], $true)) {
            if ($attribute.ParameterSetName -contains '__AllParameterSets' -or $attribute.ParameterSetName -contains $ParameterSet) {
                foreach ($t in $attribute.Type) { $t.Type }
            }
        }
    }

    # The parameter set PowerShell would pick for a command that names these parameters.
    function script:Resolve-ParameterSet([System.Management.Automation.CommandInfo] $Command, [string[]] $Named) {
        $candidates = @($Command.ParameterSets | Where-Object { $set = $_; @($Named | Where-Object { $set.Parameters.Name -notcontains $_ }).Count -eq 0 })
        $default = @($candidates | Where-Object IsDefault)
        if ($candidates.Count -gt 1 -and $default.Count -eq 1) { return $default[0] }
        $candidates[0]
    }

    # Why one pipe `Previous | Next` would not bind from Previous's declared output types (empty when it binds).
    function script:Test-PipeBinding([System.Management.Automation.Language.CommandAst] $Previous, [System.Management.Automation.Language.CommandAst] $Next) {
        $prevCommand = Get-Command -Name $Previous.GetCommandName() -Module MailOAuth
        $nextCommand = Get-Command -Name $Next.GetCommandName() -Module MailOAuth
        $prevNamed = @([System.Management.Automation.Language.StaticParameterBinder]::BindCommand($Previous, $true).BoundParameters.Keys)
        $nextNamed = @([System.Management.Automation.Language.StaticParameterBinder]::BindCommand($Next, $true).BoundParameters.Keys)
        $prevSet = Resolve-ParameterSet $prevCommand $prevNamed
        $nextSet = Resolve-ParameterSet $nextCommand $nextNamed
        $types = @(Get-DeclaredOutputType $prevCommand.Name $prevSet.Name | Where-Object { $_ -ne [void] })
        if ($types.Count -eq 0) { return "$($prevCommand.Name) ($($prevSet.Name)) declares no output type" }
        foreach ($type in $types) {
            $properties = @{}
            foreach ($p in $type.GetProperties()) { $properties[$p.Name] = $p }
            foreach ($parameter in $nextSet.Parameters | Where-Object { $_.IsMandatory -and $nextNamed -notcontains $_.Name }) {
                $names = @($parameter.Name) + @($parameter.Aliases)
                $property = @($names | Where-Object { $properties.ContainsKey($_) } | ForEach-Object { $properties[$_] })[0]
                if (-not $parameter.ValueFromPipelineByPropertyName -or -not $property) {
                    "$($nextCommand.Name) -$($parameter.Name) is neither named nor declared by $($type.Name)"
                }
                elseif ($parameter.ParameterType -eq [securestring] -and $property.PropertyType -ne [securestring]) {
                    "$($type.Name).$($property.Name) is not a SecureString for $($nextCommand.Name) -$($parameter.Name)"
                }
            }
        }
    }

    # Every MailOAuth-to-MailOAuth pipe in the fenced powershell blocks of a markdown file.
    function script:Get-MarkdownPipe([string] $Path) {
        $text = Get-Content -Raw -LiteralPath $Path
        $cmdlets = @(Get-Command -Module MailOAuth -CommandType Cmdlet).Name
        foreach ($block in [regex]::Matches($text, '(?ms)^```powershell\r?\n(.*?)^```')) {
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($block.Groups[1].Value, [ref] $null, [ref] $null)
            foreach ($pipeline in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.PipelineAst] }, $true)) {
                $elements = @($pipeline.PipelineElements)
                for ($i = 1; $i -lt $elements.Count; $i++) {
                    $previous = $elements[$i - 1]; $next = $elements[$i]
                    if ($previous -isnot [System.Management.Automation.Language.CommandAst] -or $next -isnot [System.Management.Automation.Language.CommandAst]) { continue }
                    if ($cmdlets -notcontains $previous.GetCommandName() -or $cmdlets -notcontains $next.GetCommandName()) { continue }
                    [pscustomobject]@{ Text = "$previous | $next"; Previous = $previous; Next = $next }
                }
            }
        }
    }

    function script:Assert-DeclaredOutput([string] $Name, [string] $ParameterSet, [object[]] $Output) {
        $declared = @(Get-DeclaredOutputType $Name $ParameterSet)
        (Get-Command $Name -Module MailOAuth).ParameterSets.Name | Should -Contain $ParameterSet
        foreach ($o in $Output) {
            $o | Should -Not -BeNullOrEmpty
            $o | Should -Not -BeOfType [System.Management.Automation.PSCustomObject]
            $declared | Should -Contain $o.GetType() -Because "$Name ($ParameterSet) wrote a $($o.GetType().FullName)"
            $o.GetType().IsSealed | Should -BeTrue
            @($o.PSObject.Properties | Where-Object MemberType -EQ 'NoteProperty').Count | Should -Be 0 -Because 'no note-property bags'
        }
    }

    function script:Plain([securestring] $s) { [System.Net.NetworkCredential]::new('', $s).Password }
}

Describe 'Typed pipeline: declared output types' -Tag 'TypedPipeline' {
    BeforeAll {
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:platform = @{ PlatformUri = $info.platform.uri; ApiToken = (ConvertTo-TestSecret $info.platform.apiToken) }
        $script:profileJson = Join-Path $PSScriptRoot '../../examples/profiles/acme-panel.json'
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }

    It 'every cmdlet declares an output type (or void) for each of its parameter sets, all sealed MailOAuth.Output types' {
        foreach ($command in Get-Command -Module MailOAuth -CommandType Cmdlet) {
            foreach ($set in $command.ParameterSets) {
                $types = @(Get-DeclaredOutputType $command.Name $set.Name)
                $types.Count | Should -BeGreaterThan 0 -Because "$($command.Name) ($($set.Name))"
                # A -Quiet parameter set answers $true/$false only, like Test-Connection -Quiet.
                foreach ($t in $types | Where-Object { $_ -ne [void] -and -not ($set.Name -eq 'Quiet' -and $_ -eq [bool]) }) {
                    $t.Namespace | Should -Be 'MailOAuth.Output'
                    $t.IsSealed | Should -BeTrue
                }
            }
        }
    }

    It 'each cmdlet, in every parameter set that runs against the sandbox, with and without -PassThru, writes only its declared types' {
        $environment = Add-MailOAuthEnvironment -Name 'TypedCheck' -AuthorityHost $info.authorityHost -GraphEndpoint $info.graphEndpoint -TrustedCertificatePath $info.certificatePath
        Assert-DeclaredOutput 'Add-MailOAuthEnvironment' '__AllParameterSets' @($environment)
        Assert-DeclaredOutput 'Get-MailOAuthEnvironment' '__AllParameterSets' @(Get-MailOAuthEnvironment)
        $connection = Connect-SandboxAdmin -Sandbox $sandbox
        Assert-DeclaredOutput 'Connect-MailOAuth' 'ClientSecret' @($connection)

        $app = New-MailOAuthApp -DisplayName "Typed $([guid]::NewGuid().ToString('N').Substring(0, 8))" -SenderAddress $info.mailboxes.licensed
        Assert-DeclaredOutput 'New-MailOAuthApp' '__AllParameterSets' @($app)
        Assert-DeclaredOutput 'Get-MailOAuthApp' 'Managed' @(Get-MailOAuthApp)
        Assert-DeclaredOutput 'Get-MailOAuthApp' 'ClientId' @(Get-MailOAuthApp -ClientId $app.ClientId)
        Assert-DeclaredOutput 'Get-MailOAuthApp' 'DisplayName' @(Get-MailOAuthApp -DisplayName $app.DisplayName)

        $consent = $app | Grant-MailSendConsent
        Assert-DeclaredOutput 'Grant-MailSendConsent' 'Consent' @($consent)
        $granted = $app | Grant-MailSendConsent -PassThru
        Assert-DeclaredOutput 'Grant-MailSendConsent' 'PassThru' @($granted)

        $stored = $granted | Set-ResellerSmtpSetting @platform
        Assert-DeclaredOutput 'Set-ResellerSmtpSetting' 'Setting' @($stored)
        $configured = $granted | Set-ResellerSmtpSetting @platform -PassThru
        Assert-DeclaredOutput 'Set-ResellerSmtpSetting' 'PassThru' @($configured)
        $configuredWithProfile = $granted | Set-ResellerSmtpSetting @platform -PlatformProfile $profileJson -PassThru
        Assert-DeclaredOutput 'Set-ResellerSmtpSetting' 'PassThru' @($configuredWithProfile)

        Assert-DeclaredOutput 'Get-ResellerSmtpSetting' '__AllParameterSets' @($configured | Get-ResellerSmtpSetting)
        Assert-DeclaredOutput 'Send-ResellerTestEmail' '__AllParameterSets' @($configured | Send-ResellerTestEmail -To 'admin@contoso.com')
        Assert-DeclaredOutput 'Send-ResellerTestEmail' '__AllParameterSets' @($configuredWithProfile | Send-ResellerTestEmail -To 'admin@contoso.com')
        Assert-DeclaredOutput 'Send-MailOAuthTest' '__AllParameterSets' @($configured | Send-MailOAuthTest -To 'admin@contoso.com')
        Assert-DeclaredOutput 'Send-MailOAuthTest' '__AllParameterSets' @($granted | Send-MailOAuthTest -To 'admin@contoso.com')

        @($app | Remove-MailOAuthApp -Confirm:$false).Count | Should -Be 0
        @(Disconnect-MailOAuth).Count | Should -Be 0
        (Get-DeclaredOutputType 'Remove-MailOAuthApp' '__AllParameterSets') | Should -Be ([void])
    }

    It 'the -PassThru objects carry what the next cmdlet binds, secrets as SecureString' {
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        $app = New-MailOAuthApp -DisplayName "Typed $([guid]::NewGuid().ToString('N').Substring(0, 8))" -SenderAddress $info.mailboxes.licensed
        $granted = $app | Grant-MailSendConsent -PassThru
        $granted.TenantId | Should -Be $app.TenantId
        $granted.ClientId | Should -Be $app.ClientId
        $granted.SenderAddress | Should -Be $app.SenderAddress
        $granted.SecretKeyId | Should -Be $app.SecretKeyId
        $granted.SecretCreatedOn | Should -Be $app.SecretCreatedOn
        $granted.Environment | Should -Be 'Sandbox'
        $granted.ClientSecret | Should -BeOfType [securestring]
        (Plain $granted.ClientSecret) | Should -Be (Plain $app.ClientSecret)
        $granted.Consent | Should -BeOfType 'MailOAuth.Output.MailOAuthConsent'
        $configured = $granted | Set-ResellerSmtpSetting @platform -PlatformProfile $profileJson -PassThru
        $configured.PlatformUri | Should -Be ([uri] $info.platform.uri)
        $configured.PlatformProfile | Should -Be (Resolve-Path $profileJson).Path
        $configured.ApiToken | Should -BeOfType [securestring]
        (Plain $configured.ApiToken) | Should -Be $info.platform.apiToken
        (Plain $configured.ClientSecret) | Should -Be (Plain $app.ClientSecret)
        $configured.SecretCreatedOn | Should -Be $app.SecretCreatedOn
        $configured.Environment | Should -Be 'Sandbox'
        $configured.Setting.ClientId | Should -Be $app.ClientId
        # Rendered at 120 columns, the key columns stay readable and no secret shows.
        $table = $configured, $granted | Out-String -Width 120
        $table | Should -Match ([regex]::Escape($app.ClientId))
        $table | Should -Not -Match ([regex]::Escape((Plain $app.ClientSecret)))
        $table | Should -Not -Match ([regex]::Escape($info.platform.apiToken))
    }
}

Describe 'Typed pipeline: the piped object is never changed (issue: stale platform values)' -Tag 'TypedPipeline' {
    BeforeAll {
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:good = ConvertTo-TestSecret $info.platform.apiToken
        $script:readOnly = ConvertTo-TestSecret $info.platform.readOnlyApiToken
        function script:PlatformTests { @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object { $_.kind -eq 'platform' -and $_.method -eq 'POST' }) }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach {
        Reset-MailOAuthSandbox -Sandbox $sandbox
        Connect-SandboxAdmin -Sandbox $sandbox | Out-Null
        $script:app = New-MailOAuthApp -DisplayName "Stale $([guid]::NewGuid().ToString('N').Substring(0, 8))" -SenderAddress $info.mailboxes.licensed |
            Grant-MailSendConsent -PassThru
        Reset-MailOAuthSandbox -Sandbox $sandbox
    }

    It 'after a failed Set -PassThru, a corrected retry piped from the same object tests with the new token' {
        $app | Set-ResellerSmtpSetting -PlatformUri $info.platform.uri -ApiToken $readOnly -PassThru -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'PlatformAuthenticationFailed,MailOAuth.Commands.SetResellerSmtpSettingCommand'
        $app.PSObject.Properties.Name | Should -Not -Contain 'ApiToken'
        $app.PSObject.Properties.Name | Should -Not -Contain 'PlatformUri'

        $r = $app | Set-ResellerSmtpSetting -PlatformUri $info.platform.uri -ApiToken $good -PassThru | Send-ResellerTestEmail -To 'admin@contoso.com'
        $r.Delivered | Should -BeTrue
        $r.PlatformUri | Should -Be ([uri] $info.platform.uri)
    }

    It 'a successful Set -PassThru leaves the piped object as it was, and its output holds the values used' {
        $before = @($app.PSObject.Properties.Name)
        $out = $app | Set-ResellerSmtpSetting -PlatformUri $info.platform.uri -ApiToken $good -PassThru
        @($app.PSObject.Properties.Name) | Should -Be $before
        $out | Should -Not -BeExactly $app
        (Plain $out.ApiToken) | Should -Be $info.platform.apiToken
        # A second save of the same object with another token carries that token, not the first one.
        $again = $app | Set-ResellerSmtpSetting -PlatformUri $info.platform.uri -ApiToken $readOnly -PassThru -ErrorAction SilentlyContinue
        $again | Should -BeNullOrEmpty
        $app.PSObject.Properties.Name | Should -Not -Contain 'ApiToken'
    }

    It 'the piped app never lends a platform token from an earlier run to Send-ResellerTestEmail' {
        $app | Set-ResellerSmtpSetting -PlatformUri $info.platform.uri -ApiToken $good -PassThru | Out-Null
        Reset-MailOAuthSandbox -Sandbox $sandbox
        # The app holds no ApiToken, so the mandatory token is missing: nothing is sent anywhere.
        $app | Send-ResellerTestEmail -PlatformUri $info.platform.uri -To 'admin@contoso.com' -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -Be 'InputObjectMissingMandatory,MailOAuth.Commands.SendResellerTestEmailCommand'
        @(Get-MailOAuthSandboxRequest -Sandbox $sandbox | Where-Object kind -EQ 'platform').Count | Should -Be 0
    }
}

Describe 'Typed pipeline: the README pipelines bind from declared output types' -Tag 'TypedPipeline', 'Help' {
    BeforeAll {
        $script:readme = Join-Path $PSScriptRoot '../../README.md'
        $script:pipes = @(Get-MarkdownPipe $readme)
    }

    It 'finds the onboarding pipes in the README' {
        $pairs = @($pipes | ForEach-Object { "$($_.Previous.GetCommandName())|$($_.Next.GetCommandName())" } | Sort-Object -Unique)
        $pairs | Should -Contain 'New-MailOAuthApp|Grant-MailSendConsent'
        $pairs | Should -Contain 'Grant-MailSendConsent|Set-ResellerSmtpSetting'
        $pairs | Should -Contain 'Set-ResellerSmtpSetting|Send-ResellerTestEmail'
    }

    It 'every README pipe names only parameters the previous output type does not declare' {
        $problems = foreach ($pipe in $pipes) { Test-PipeBinding $pipe.Previous $pipe.Next | ForEach-Object { "$($pipe.Text): $_" } }
        $problems | Should -BeNullOrEmpty
    }

    It 'every pipe in the cmdlet help examples (docs/help) binds the same way' {
        $helpPipes = @(Get-ChildItem (Join-Path $PSScriptRoot '../../docs/help') -Filter '*-*.md' | ForEach-Object { Get-MarkdownPipe $_.FullName })
        $helpPipes.Count | Should -BeGreaterThan 5
        $problems = foreach ($pipe in $helpPipes) { Test-PipeBinding $pipe.Previous $pipe.Next | ForEach-Object { "$($pipe.Text): $_" } }
        $problems | Should -BeNullOrEmpty
    }

    It 'the check itself finds a pipe that would not bind' {
        $ast = [System.Management.Automation.Language.Parser]::ParseInput(
            'Get-MailOAuthApp | Set-ResellerSmtpSetting -PlatformUri https://p.example.com -ApiToken $t; New-MailOAuthApp | Send-ResellerTestEmail -To a@contoso.com', [ref] $null, [ref] $null)
        $pipelines = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.PipelineAst] }, $true))
        $first = @(Test-PipeBinding $pipelines[0].PipelineElements[0] $pipelines[0].PipelineElements[1])
        $first -join "`n" | Should -Match 'ClientSecret'
        $first -join "`n" | Should -Match 'SenderAddress'
        @(Test-PipeBinding $pipelines[1].PipelineElements[0] $pipelines[1].PipelineElements[1]) -join "`n" | Should -Match 'ApiToken'
    }
}

Describe 'Error records of Set-ResellerSmtpSetting and Grant-MailSendConsent hold no secret (Export-Clixml)' -Tag 'TypedPipeline', 'Secrets' {
    BeforeAll {
        $script:sandbox = Start-MailOAuthSandbox
        Register-MailOAuthSandboxEnvironment -Sandbox $sandbox | Out-Null
        $script:info = $sandbox.Info
        $script:knownSecret = 'Clix8Q~KnownSecretValue_0987654321zyxwvuTS'
        $script:token = $info.platform.apiToken
        $script:readOnlyToken = $info.platform.readOnlyApiToken
        $script:settingsPath = '/api/v1/reseller/smtp-settings$'

        function script:Settings([string] $Secret = $knownSecret) {
            @{
                TenantId      = $info.tenantId
                ClientId      = $info.apps.consented.clientId
                ClientSecret  = ConvertTo-TestSecret $Secret
                SenderAddress = $info.mailboxes.licensed
            }
        }
        function script:ClearFaults { [void](Invoke-MailOAuthSandboxControl -Sandbox $sandbox -Method DELETE -Path '/_sandbox/faults') }

        # Runs a failing command, exports $Error as a user would, and checks the file for each secret:
        # as text, as UTF-16 hex (how a SecureString is serialised off Windows) and inside any <SS> element.
        function script:Assert-ClixmlClean([scriptblock] $Failing, [string[]] $Secrets, [string] $ErrorId) {
            $global:Error.Clear()
            try { & $Failing } catch { Write-Verbose "terminating: $_" }
            $global:Error.Count | Should -BeGreaterThan 0 -Because 'the path must fail'
            if ($ErrorId) { @($global:Error | ForEach-Object { "$($_.FullyQualifiedErrorId)" }) -join ' ' | Should -Match ([regex]::Escape($ErrorId)) }
            $file = Join-Path ([IO.Path]::GetTempPath()) "mailoauth-error-$([guid]::NewGuid().ToString('N')).clixml"
            try {
                $global:Error | Export-Clixml -LiteralPath $file -Depth 5
                $text = Get-Content -Raw -LiteralPath $file
            }
            finally { Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue }
            $decoded = foreach ($m in [regex]::Matches($text, '<SS[^>]*>([0-9a-fA-F]+)</SS>')) {
                $hex = $m.Groups[1].Value
                [Text.Encoding]::Unicode.GetString([byte[]] -split ($hex -replace '..', '0x$& '))
            }
            foreach ($secret in $Secrets) {
                $text | Should -Not -Match ([regex]::Escape($secret))
                $hex = -join ([Text.Encoding]::Unicode.GetBytes($secret) | ForEach-Object { $_.ToString('x2') })
                $text.ToLowerInvariant() | Should -Not -Match $hex
                $decoded | Should -Not -Contain $secret
            }
            ([regex]::Matches($text, '<SS')).Count | Should -Be 0 -Because 'no error record carries a SecureString'
        }
    }
    AfterAll {
        Disconnect-MailOAuth
        if ($sandbox) { Stop-MailOAuthSandbox -Sandbox $sandbox }
    }
    BeforeEach {
        ClearFaults
        Reset-MailOAuthSandboxDirectory -Sandbox $sandbox
        Reset-MailOAuthSandbox -Sandbox $sandbox
    }

    It 'Set-ResellerSmtpSetting: <Path>' -ForEach @(
        @{ Path = 'rejected save (422)'; Id = 'PlatformRejectedSettings'; Fault = @{ status = 422; count = 1 } }
        @{ Path = 'read-only token'; Id = 'PlatformAuthenticationFailed'; ReadOnly = $true }
        @{ Path = 'wrong token'; Id = 'PlatformAuthenticationFailed'; WrongToken = $true }
        @{ Path = 'unexpected answer (404)'; Id = 'UnexpectedResponse'; Fault = @{ status = 404; count = 1 } }
        @{ Path = 'platform unavailable (503)'; Id = 'ServiceUnavailable'; Fault = @{ status = 503; count = 100 } }
        @{ Path = 'platform unreachable'; Id = 'NetworkFailure'; Unreachable = $true }
        @{ Path = 'unusable profile'; Id = 'InvalidPlatformProfile'; BadProfile = $true }
        @{ Path = 'plain http'; Id = 'ParameterArgumentValidationError'; Http = $true }
    ) {
        if ($Fault) { Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault ($Fault + @{ pathPattern = $settingsPath; method = 'PUT' }) | Out-Null }
        $uri = if ($Unreachable) {
            $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $listener.Start()
            $port = $listener.LocalEndpoint.Port; $listener.Stop()   # a port nobody listens on
            "https://127.0.0.1:$port"
        } elseif ($Http) { 'http://portal.example.com' } else { $info.platform.uri }
        $apiToken = if ($ReadOnly) { $readOnlyToken } elseif ($WrongToken) { 'Wrong-platform-token-0123456789abcdef' } else { $token }
        $extra = if ($BadProfile) { @{ PlatformProfile = Join-Path ([IO.Path]::GetTempPath()) 'no-such-profile.json' } } else { @{} }
        $s = Settings
        Assert-ClixmlClean -Secrets $knownSecret, $apiToken -ErrorId $Id {
            Set-ResellerSmtpSetting -PlatformUri $uri -ApiToken (ConvertTo-TestSecret $apiToken) @s @extra -PassThru -ErrorAction SilentlyContinue | Out-Null
        }
        if ($Id -eq 'PlatformRejectedSettings') {
            # The rejected-save error says where the secret still is.
            $global:Error[0].Exception.Message | Should -Match 'identifiers only'
            $global:Error[0].Exception.Message | Should -Match 'New-MailOAuthApp'
            $global:Error[0].TargetObject | Should -BeOfType 'MailOAuth.Output.MailOAuthTarget'
            $global:Error[0].TargetObject.ClientId | Should -Be $s.ClientId
            $global:Error[0].TargetObject.PlatformUri | Should -Be ([uri] $uri)
        }
    }

    It 'Grant-MailSendConsent: <Path>' -ForEach @(
        @{ Path = 'not connected'; Id = 'NotConnected'; Disconnected = $true }
        @{ Path = 'no such app'; Id = 'ApplicationNotFound'; Unknown = $true }
        @{ Path = 'unmanaged app'; Id = 'AppNotManaged'; App = 'unconsented' }
        @{ Path = 'wrong secret for an old app'; Id = 'InvalidClientSecret'; App = 'unconsented'; Force = $true }
        @{ Path = 'Graph unavailable (503)'; Id = 'ServiceUnavailable'; App = 'unconsented'; Force = $true; Fault = @{ pathPattern = '^/v1\.0/applications'; method = 'GET'; status = 503; count = 100 } }
        @{ Path = 'no directory rights'; Id = 'InsufficientPrivileges'; App = 'unconsented'; Force = $true; NoRights = $true }
        @{ Path = 'client ID not a GUID'; Id = 'ParameterArgumentValidationError'; BadId = $true }
    ) {
        if ($Disconnected) { Disconnect-MailOAuth }
        elseif ($NoRights) {
            Connect-MailOAuth -TenantId $info.tenantId -ClientId $info.noRightsAdmin.clientId -ClientSecret (ConvertTo-TestSecret $info.noRightsAdmin.clientSecret) -Environment Sandbox | Out-Null
        }
        else { Connect-SandboxAdmin -Sandbox $sandbox | Out-Null }
        if ($Fault) { Add-MailOAuthSandboxFault -Sandbox $sandbox -Fault $Fault | Out-Null }
        $clientId = if ($Unknown) { [guid]::NewGuid().ToString() } elseif ($BadId) { 'not-a-guid' } else { $info.apps.$App.clientId }
        $secret = ConvertTo-TestSecret $knownSecret
        Assert-ClixmlClean -Secrets $knownSecret -ErrorId $Id {
            if ($BadId) {
                # Named, not piped: a binding error for a piped object has that object as its TargetObject (PowerShell's binder).
                Grant-MailSendConsent -ClientId $clientId -ClientSecret $secret -PassThru -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
            }
            else {
                [pscustomobject]@{ ClientId = $clientId; ClientSecret = $secret; SenderAddress = $info.mailboxes.licensed } |
                    Grant-MailSendConsent -PassThru -Force:([bool]$Force) -Confirm:$false -ReplicationTimeoutSec 5 -ErrorAction SilentlyContinue | Out-Null
            }
        }
        if ($Id -notin 'NotConnected', 'ParameterArgumentValidationError') {
            $global:Error[0].TargetObject | Should -BeOfType 'MailOAuth.Output.MailOAuthTarget'
            $global:Error[0].TargetObject.ClientId | Should -Be $clientId
        }
    }
}
