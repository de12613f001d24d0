#requires -Version 7.2
<#
.SYNOPSIS
    Generates the module's MAML help (MailOAuth.dll-Help.xml) from one markdown file per cmdlet.
.DESCRIPTION
    platyPS is not available here, so this script is the converter. The prose (synopsis, description,
    examples, parameter descriptions, inputs, outputs, notes, links) comes from docs/help/<Verb-Noun>.md;
    the first related link ("Online Version:", what Get-Help -Online opens) is that markdown file in the
    project's repository (the manifest's ProjectUri);
    everything about parameters that the compiler knows (type, mandatory, position, pipeline binding,
    aliases, wildcards, defaults, parameter sets) comes from the compiled cmdlets, read in a separate
    pwsh process so that the caller never has the module loaded.

    The script fails (throws, listing every problem) when:
      - a cmdlet the module exports has no markdown file, or a markdown file names no exported cmdlet;
      - a markdown file lacks SYNOPSIS, DESCRIPTION or an example with code, or has an unknown section;
      - a (non-common) parameter of the cmdlet is not documented, or the markdown documents a
        parameter the cmdlet does not have, or a parameter description is empty;
      - a type the cmdlet declares with [OutputType] is not listed under OUTPUTS.
    -WhatIf and -Confirm get the standard descriptions unless the markdown documents them.

    The markdown format is described in docs/help/README.md.
.PARAMETER SourcePath
    The folder holding the <Verb-Noun>.md files.
.PARAMETER OutputPath
    The MAML file to write, normally out/MailOAuth/en-US/MailOAuth.dll-Help.xml.
.PARAMETER ModulePath
    The built module manifest to read the cmdlets from. Default: the .psd1 in the folder above
    OutputPath's folder (out/MailOAuth/MailOAuth.psd1).
.EXAMPLE
    ./build/New-MamlHelp.ps1 -SourcePath docs/help -OutputPath out/MailOAuth/en-US/MailOAuth.dll-Help.xml
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $SourcePath,
    [Parameter(Mandatory)] [string] $OutputPath,
    [string] $ModulePath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$nsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$nsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$nsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'
$nsMSHelp = 'http://msdn.microsoft.com/mshelp'
$sections = 'SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS'
$standardDescriptions = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs. The cmdlet is not run.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

#region Reflection: the compiled cmdlets, read in a child pwsh process

function Get-PwshCommandLine {
    # The same PowerShell that runs this script: pwsh itself, or `dotnet pwsh.dll` for the local tool.
    $exe = [Environment]::ProcessPath
    $pwshDll = Join-Path $PSHOME 'pwsh.dll'
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet' -and (Test-Path $pwshDll)) { return @($exe, $pwshDll) }
    return @($exe)
}

function Get-CmdletMetadata([string] $ManifestPath) {
    $resultFile = [IO.Path]::Combine([IO.Path]::GetTempPath(), "mailoauth-help-$([guid]::NewGuid().ToString('n')).json")
    $quote = { param($s) "'" + ($s -replace "'", "''") + "'" }
    $childScript = @"
`$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
`$module = Import-Module -Name $(& $quote $ManifestPath) -PassThru -DisableNameChecking
`$common = [System.Management.Automation.Cmdlet]::CommonParameters
function TypeName([type] `$t) {
    `$u = [Nullable]::GetUnderlyingType(`$t); if (`$u) { `$t = `$u }
    if (`$t.IsArray) { return (TypeName `$t.GetElementType()) + '[]' }
    if (`$t.IsGenericType) { return (`$t.Name -replace '``.*$', '') + '[' + ((`$t.GetGenericArguments() | ForEach-Object { TypeName `$_ }) -join ', ') + ']' }
    `$t.Name
}
function DefaultText(`$instance, [string] `$name, [bool] `$isSwitch) {
    if (`$null -eq `$instance) { return `$(if (`$isSwitch) { 'False' } else { 'None' }) }
    `$property = `$instance.GetType().GetProperty(`$name)
    if (`$null -eq `$property) { return `$(if (`$isSwitch) { 'False' } else { 'None' }) }
    `$value = `$property.GetValue(`$instance)
    if (`$value -is [System.Management.Automation.SwitchParameter]) { return [string]`$value.IsPresent }
    if (`$null -eq `$value -or (`$value -is [string] -and `$value -eq '')) { return 'None' }
    if (`$value -is [System.Collections.IEnumerable] -and `$value -isnot [string]) {
        `$items = @(`$value); if (`$items.Count -eq 0) { return 'None' }; return (`$items -join ', ')
    }
    [string]`$value
}
`$commands = foreach (`$c in Get-Command -Module `$module.Name -CommandType Cmdlet | Sort-Object Name) {
    `$instance = try { [Activator]::CreateInstance(`$c.ImplementingType) } catch { `$null }
    `$parameters = foreach (`$p in `$c.Parameters.Values) {
        if (`$common -contains `$p.Name) { continue }
        [ordered]@{
            Name         = `$p.Name
            TypeName     = TypeName `$p.ParameterType
            TypeFullName = `$p.ParameterType.FullName
            IsSwitch     = `$p.SwitchParameter
            IsArray      = `$p.ParameterType.IsArray
            Aliases      = @(`$p.Aliases)
            Globbing     = [bool](@(`$p.Attributes | Where-Object { `$_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count)
            Default      = DefaultText `$instance `$p.Name `$p.SwitchParameter
        }
    }
    `$sets = foreach (`$s in `$c.ParameterSets) {
        [ordered]@{
            Name       = `$s.Name
            IsDefault  = `$s.IsDefault
            Parameters = @(foreach (`$sp in `$s.Parameters) {
                if (`$common -contains `$sp.Name) { continue }
                [ordered]@{
                    Name                 = `$sp.Name
                    Mandatory            = `$sp.IsMandatory
                    Position             = `$sp.Position
                    ByValue              = `$sp.ValueFromPipeline
                    ByPropertyName       = `$sp.ValueFromPipelineByPropertyName
                    FromRemainingArguments = `$sp.ValueFromRemainingArguments
                }
            })
        }
    }
    [ordered]@{
        Name          = `$c.Name
        Verb          = `$c.Verb
        Noun          = `$c.Noun
        OutputTypes   = @(`$c.OutputType | ForEach-Object { if (`$_.Type) { `$_.Type.FullName } else { `$_.Name } })
        Parameters    = @(`$parameters)
        ParameterSets = @(`$sets)
    }
}
ConvertTo-Json -InputObject @(`$commands) -Depth 10 | Set-Content -LiteralPath $(& $quote $resultFile) -Encoding utf8NoBOM
"@
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($childScript))
    $commandLine = @(Get-PwshCommandLine)
    $exe = $commandLine[0]
    $arguments = @($commandLine | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
    try {
        $childOutput = & $exe @arguments 2>&1
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path -LiteralPath $resultFile)) {
            throw "Could not read the cmdlets of '$ManifestPath' (child pwsh exit code $LASTEXITCODE):`n$($childOutput -join "`n")"
        }
        Get-Content -Raw -LiteralPath $resultFile | ConvertFrom-Json
    }
    finally {
        Remove-Item -LiteralPath $resultFile -ErrorAction Ignore
    }
}

#endregion

#region Markdown

# Inline markdown to plain text: **bold**, `code`, [text](uri), backslash escapes.
function ConvertFrom-InlineMarkdown([string] $Text) {
    $t = $Text -replace '\[([^\]]+)\]\(([^)\s]+)\)', '$1 ($2)'
    $t = $t -replace '(\*\*|__)(.+?)\1', '$2'
    $t = $t -replace '`([^`]+)`', '$1'
    $t = $t -replace '\\([\\`*_{}\[\]()#+\-.!|<>])', '$1'
    $t.Trim()
}

# Lines of markdown to help paragraphs (strings). Blank lines separate paragraphs; soft line breaks
# join with a space; list items keep one line each; fenced code keeps its lines as they are.
function ConvertTo-Paragraphs([string[]] $Lines) {
    $paragraphs = [Collections.Generic.List[string]]::new()
    $current = [Collections.Generic.List[string]]::new()
    $isList = $false
    $flush = {
        if ($current.Count) {
            $paragraphs.Add(($current -join $(if ($isList) { "`n" } else { ' ' })))
            $current.Clear()
        }
    }
    $inFence = $false
    $code = [Collections.Generic.List[string]]::new()
    foreach ($line in $Lines) {
        if ($line -match '^\s*(```|~~~)') {
            if ($inFence) { $paragraphs.Add(($code -join "`n")); $code.Clear(); $inFence = $false }
            else { . $flush; $isList = $false; $inFence = $true }
            continue
        }
        if ($inFence) { $code.Add($line.TrimEnd()); continue }
        if ($line -match '^\s*$') { . $flush; $isList = $false; continue }
        if ($line -match '^\s*([-*+]|\d+[.)])\s+(.*)$') {
            if (-not $isList) { . $flush; $isList = $true }
            $marker = $Matches[1]; $itemText = $Matches[2]
            $bullet = if ($marker -match '^\d') { $marker } else { '-' }
            $current.Add("$bullet $(ConvertFrom-InlineMarkdown $itemText)")
            continue
        }
        if ($isList -and $line -match '^\s{2,}\S' -and $current.Count) {
            $current[$current.Count - 1] += ' ' + (ConvertFrom-InlineMarkdown $line)
            continue
        }
        if ($isList) { . $flush; $isList = $false }
        $current.Add((ConvertFrom-InlineMarkdown $line))
    }
    if ($inFence) { throw 'an unclosed code fence' }
    . $flush
    $paragraphs.ToArray()
}

# Splits lines at headings of one level ('## ' or '### '), ignoring headings inside code fences.
function Split-Heading([string[]] $Lines, [int] $Level) {
    $prefix = ('#' * $Level) + ' '
    $result = [Collections.Generic.List[object]]::new()
    $current = [pscustomobject]@{ Title = $null; Lines = [Collections.Generic.List[string]]::new() }
    $result.Add($current)
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*(```|~~~)') { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith($prefix)) {
            $current = [pscustomobject]@{ Title = $line.Substring($prefix.Length).Trim(); Lines = [Collections.Generic.List[string]]::new() }
            $result.Add($current)
            continue
        }
        $current.Lines.Add($line)
    }
    $result.ToArray()
}

function Test-Blank([string[]] $Lines) { -not ($Lines | Where-Object { $_ -match '\S' }) }

function Read-HelpMarkdown([IO.FileInfo] $File, [Collections.Generic.List[string]] $Problems) {
    $where = $File.Name
    $lines = @((Get-Content -LiteralPath $File.FullName -Encoding utf8) -replace "`r$", '')
    $doc = [ordered]@{
        Name = $null; Synopsis = @(); Description = @(); Examples = @(); Parameters = [ordered]@{}
        Inputs = @(); Outputs = @(); Notes = @(); Links = @()
    }
    $titleLine = $lines | Where-Object { $_ -match '^# \S' } | Select-Object -First 1
    if (-not $titleLine) { $Problems.Add("${where}: no '# Verb-Noun' title line."); return $doc }
    $doc.Name = $titleLine.Substring(2).Trim()
    if ($doc.Name -ne $File.BaseName) { $Problems.Add("${where}: the title '# $($doc.Name)' does not match the file name.") }

    $seen = @{}
    foreach ($section in @(Split-Heading $lines 2 | Select-Object -Skip 1)) {
        $name = $section.Title.ToUpperInvariant()
        if ($name -notin $sections) {
            $hint = if ($name -eq 'SYNTAX') { ' (syntax is generated from the compiled cmdlet: remove the section)' } else { " (known: $($sections -join ', '))" }
            $Problems.Add("${where}: unknown section '## $($section.Title)'$hint.")
            continue
        }
        if ($seen[$name]) { $Problems.Add("${where}: section '## $name' appears twice."); continue }
        $seen[$name] = $true
        $parts = @(Split-Heading $section.Lines 3)
        $intro = $parts[0].Lines
        $subsections = @($parts | Select-Object -Skip 1)
        try {
            switch ($name) {
                'SYNOPSIS' { $doc.Synopsis = @(ConvertTo-Paragraphs $section.Lines) }
                'DESCRIPTION' { $doc.Description = @(ConvertTo-Paragraphs $section.Lines) }
                'NOTES' { $doc.Notes = @(ConvertTo-Paragraphs $section.Lines) }
                'EXAMPLES' {
                    if (-not (Test-Blank $intro)) { $Problems.Add("${where}: text under '## EXAMPLES' before the first '### Example 1: title'.") }
                    $number = 0
                    $doc.Examples = @(foreach ($example in $subsections) {
                            $number++
                            if ($example.Title -notmatch '^Example (\d+): (\S.*)$' -or [int]$Matches[1] -ne $number) {
                                $Problems.Add("${where}: example heading '### $($example.Title)' should read '### Example ${number}: <title>'.")
                            }
                            # Fenced code is the example's code, except ```output blocks, which go to
                            # the remarks as they are (what the example prints).
                            $code = [Collections.Generic.List[string]]::new()
                            $remarks = [Collections.Generic.List[string]]::new()
                            $inFence = $false
                            $isOutput = $false
                            $block = [Collections.Generic.List[string]]::new()
                            foreach ($line in $example.Lines) {
                                if ($line -match '^\s*(```|~~~)\s*(\w*)') {
                                    if (-not $inFence) { $isOutput = $Matches[2] -eq 'output' }
                                    elseif ($isOutput) { $remarks.Add(''); $remarks.Add('```'); $remarks.AddRange($block); $remarks.Add('```'); $remarks.Add(''); $block.Clear() }
                                    else { $code.Add(($block -join "`n").Trim("`n")); $block.Clear() }
                                    $inFence = -not $inFence
                                    continue
                                }
                                if ($inFence) { $block.Add($line.TrimEnd()) } else { $remarks.Add($line) }
                            }
                            if ($inFence) { throw "an unclosed code fence in '$($example.Title)'" }
                            $codeText = ($code | Where-Object { $_ }) -join "`n`n"
                            if (-not $codeText) { $Problems.Add("${where}: '### $($example.Title)' has no code block.") }
                            [pscustomobject]@{ Title = $example.Title; Code = $codeText; Remarks = @(ConvertTo-Paragraphs $remarks) }
                        })
                }
                'PARAMETERS' {
                    if (-not (Test-Blank $intro)) { $Problems.Add("${where}: text under '## PARAMETERS' before the first '### -Name'.") }
                    foreach ($parameter in $subsections) {
                        if ($parameter.Title -notmatch '^-([A-Za-z_][A-Za-z0-9_]*)$') {
                            $Problems.Add("${where}: parameter heading '### $($parameter.Title)' should read '### -ParameterName'.")
                            continue
                        }
                        $parameterName = $Matches[1]
                        if ($doc.Parameters.Contains($parameterName)) { $Problems.Add("${where}: parameter -$parameterName is documented twice."); continue }
                        if ($parameter.Lines -match '^\s*```\s*yaml') {
                            $Problems.Add("${where}: -${parameterName} has a yaml block: parameter metadata comes from the compiled cmdlet, remove it.")
                        }
                        $doc.Parameters[$parameterName] = @(ConvertTo-Paragraphs $parameter.Lines)
                    }
                }
                { $_ -in 'INPUTS', 'OUTPUTS' } {
                    if (-not (Test-Blank $intro)) { $Problems.Add("${where}: text under '## $name' before the first '### TypeName'.") }
                    $types = @(foreach ($type in $subsections) {
                            [pscustomobject]@{ Type = (ConvertFrom-InlineMarkdown $type.Title); Description = @(ConvertTo-Paragraphs $type.Lines) }
                        })
                    if ($name -eq 'INPUTS') { $doc.Inputs = $types } else { $doc.Outputs = $types }
                }
                'RELATED LINKS' {
                    $doc.Links = @(foreach ($line in $section.Lines) {
                            if ($line -match '^\s*$') { continue }
                            $item = $line -replace '^\s*[-*+]\s+', ''
                            if ($item -match '^\[([^\]]+)\]\(([^)\s]*)\)\s*$') { [pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[2] } }
                            elseif ($item -match '^<?(https?://[^\s>]+)>?$') { [pscustomobject]@{ Text = $Matches[1]; Uri = $Matches[1] } }
                            else { [pscustomobject]@{ Text = (ConvertFrom-InlineMarkdown $item); Uri = '' } }
                        })
                }
            }
        }
        catch {
            $Problems.Add("${where}: section '## $name': $($_.Exception.Message).")
        }
    }
    if (-not ($doc.Synopsis | Where-Object { $_ })) { $Problems.Add("${where}: no '## SYNOPSIS' text.") }
    if (-not ($doc.Description | Where-Object { $_ })) { $Problems.Add("${where}: no '## DESCRIPTION' text.") }
    if (-not $doc.Examples) { $Problems.Add("${where}: no example ('## EXAMPLES' with '### Example 1: <title>' and a code block).") }
    $doc
}

#endregion

#region MAML

function Write-Paragraphs([Xml.XmlWriter] $Writer, [string[]] $Paragraphs) {
    $Writer.WriteStartElement('maml', 'description', $nsMaml)
    foreach ($p in $Paragraphs) { $Writer.WriteElementString('maml', 'para', $nsMaml, $p) }
    $Writer.WriteEndElement()
}

function Get-PipelineInputText([bool] $ByValue, [bool] $ByPropertyName) {
    $kinds = @()
    if ($ByValue) { $kinds += 'ByValue' }
    if ($ByPropertyName) { $kinds += 'ByPropertyName' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

# One <command:parameter>. $Binding: required/position/pipeline for a set, or aggregated over the sets.
function Write-Parameter([Xml.XmlWriter] $Writer, $Parameter, $Binding, [string[]] $Description, [bool] $InSyntax) {
    $Writer.WriteStartElement('command', 'parameter', $nsCommand)
    $Writer.WriteAttributeString('required', $(if ($Binding.Mandatory) { 'true' } else { 'false' }))
    $Writer.WriteAttributeString('variableLength', $(if ($Parameter.IsArray) { 'true' } else { 'false' }))
    $Writer.WriteAttributeString('globbing', $(if ($Parameter.Globbing) { 'true' } else { 'false' }))
    $Writer.WriteAttributeString('pipelineInput', (Get-PipelineInputText $Binding.ByValue $Binding.ByPropertyName))
    $Writer.WriteAttributeString('position', $Binding.PositionText)
    $Writer.WriteAttributeString('aliases', $(if ($Parameter.Aliases) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $Writer.WriteElementString('maml', 'name', $nsMaml, $Parameter.Name)
    Write-Paragraphs $Writer $Description
    if (-not ($InSyntax -and $Parameter.IsSwitch)) {
        $Writer.WriteStartElement('command', 'parameterValue', $nsCommand)
        $Writer.WriteAttributeString('required', $(if ($Parameter.IsSwitch) { 'false' } else { 'true' }))
        $Writer.WriteAttributeString('variableLength', $(if ($Parameter.IsArray) { 'true' } else { 'false' }))
        $Writer.WriteString($Parameter.TypeName)
        $Writer.WriteEndElement()
    }
    $Writer.WriteStartElement('dev', 'type', $nsDev)
    $Writer.WriteElementString('maml', 'name', $nsMaml, $Parameter.TypeFullName)
    $Writer.WriteElementString('maml', 'uri', $nsMaml, '')
    $Writer.WriteEndElement()
    $Writer.WriteElementString('dev', 'defaultValue', $nsDev, $(if ($Binding.Mandatory) { 'None' } else { $Parameter.Default }))
    $Writer.WriteEndElement()
}

function Get-PositionText($Position) { if ($Position -lt 0) { 'named' } else { [string]$Position } }

function Write-Command([Xml.XmlWriter] $Writer, $Command, $Doc) {
    $parameterInfo = @{}
    foreach ($p in $Command.Parameters) { $parameterInfo[$p.Name] = $p }
    $descriptionOf = {
        param($name)
        if ($Doc.Parameters.Contains($name)) { $Doc.Parameters[$name] } else { @($standardDescriptions[$name]) }
    }

    $Writer.WriteStartElement('command', 'command', $nsCommand)
    $Writer.WriteAttributeString('xmlns', 'maml', $null, $nsMaml)
    $Writer.WriteAttributeString('xmlns', 'command', $null, $nsCommand)
    $Writer.WriteAttributeString('xmlns', 'dev', $null, $nsDev)
    $Writer.WriteAttributeString('xmlns', 'MSHelp', $null, $nsMSHelp)

    $Writer.WriteStartElement('command', 'details', $nsCommand)
    $Writer.WriteElementString('command', 'name', $nsCommand, $Command.Name)
    $Writer.WriteElementString('command', 'verb', $nsCommand, $Command.Verb)
    $Writer.WriteElementString('command', 'noun', $nsCommand, $Command.Noun)
    Write-Paragraphs $Writer $Doc.Synopsis
    $Writer.WriteEndElement()

    Write-Paragraphs $Writer $Doc.Description

    # Syntax: one item per parameter set; positional first (by position), then mandatory, then the rest.
    $Writer.WriteStartElement('command', 'syntax', $nsCommand)
    $sets = @($Command.ParameterSets | Sort-Object { -not $_.IsDefault }, Name)
    foreach ($set in $sets) {
        $Writer.WriteStartElement('command', 'syntaxItem', $nsCommand)
        $Writer.WriteElementString('maml', 'name', $nsMaml, $Command.Name)
        $index = 0
        $ordered = $set.Parameters | ForEach-Object { $index++; [pscustomobject]@{ P = $_; Index = $index } } |
            Sort-Object @{ Expression = { if ($_.P.Position -ge 0) { 0 } elseif ($_.P.Mandatory) { 1 } elseif ($parameterInfo[$_.P.Name].IsSwitch -and $standardDescriptions.ContainsKey($_.P.Name)) { 3 } else { 2 } } },
            @{ Expression = { if ($_.P.Position -ge 0) { $_.P.Position } else { 0 } } }, Index
        foreach ($entry in $ordered) {
            $sp = $entry.P
            $binding = @{ Mandatory = $sp.Mandatory; ByValue = $sp.ByValue; ByPropertyName = $sp.ByPropertyName; PositionText = Get-PositionText $sp.Position }
            Write-Parameter $Writer $parameterInfo[$sp.Name] $binding (& $descriptionOf $sp.Name) $true
        }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    # Parameters: in the markdown's order, then any standard ones (WhatIf, Confirm) it left out.
    $Writer.WriteStartElement('command', 'parameters', $nsCommand)
    $names = @($Doc.Parameters.Keys | Where-Object { $parameterInfo.ContainsKey($_) }) +
    @($Command.Parameters | ForEach-Object Name | Where-Object { -not $Doc.Parameters.Contains($_) })
    foreach ($name in $names) {
        $inSets = @($Command.ParameterSets | ForEach-Object { $_.Parameters | Where-Object Name -EQ $name })
        $positions = @($inSets.Position | Sort-Object -Unique)
        $binding = @{
            # Required when mandatory in every set it belongs to; a position only when the same in all.
            Mandatory      = $inSets.Count -gt 0 -and -not ($inSets | Where-Object { -not $_.Mandatory })
            ByValue        = [bool]($inSets | Where-Object ByValue)
            ByPropertyName = [bool]($inSets | Where-Object ByPropertyName)
            PositionText   = if ($positions.Count -eq 1) { Get-PositionText $positions[0] } else { 'named' }
        }
        Write-Parameter $Writer $parameterInfo[$name] $binding (& $descriptionOf $name) $false
    }
    $Writer.WriteEndElement()

    foreach ($kind in @(@{ List = 'inputTypes'; Item = 'inputType'; Types = $Doc.Inputs }, @{ List = 'returnValues'; Item = 'returnValue'; Types = $Doc.Outputs })) {
        $Writer.WriteStartElement('command', $kind.List, $nsCommand)
        foreach ($type in $kind.Types) {
            $Writer.WriteStartElement('command', $kind.Item, $nsCommand)
            $Writer.WriteStartElement('dev', 'type', $nsDev)
            $Writer.WriteElementString('maml', 'name', $nsMaml, $type.Type)
            $Writer.WriteEndElement()
            Write-Paragraphs $Writer $type.Description
            $Writer.WriteEndElement()
        }
        $Writer.WriteEndElement()
    }

    $Writer.WriteStartElement('maml', 'alertSet', $nsMaml)
    if ($Doc.Notes) {
        $Writer.WriteStartElement('maml', 'alert', $nsMaml)
        foreach ($p in $Doc.Notes) { $Writer.WriteElementString('maml', 'para', $nsMaml, $p) }
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'examples', $nsCommand)
    foreach ($example in $Doc.Examples) {
        $Writer.WriteStartElement('command', 'example', $nsCommand)
        $Writer.WriteElementString('maml', 'title', $nsMaml, "-------------------------- $($example.Title) --------------------------")
        $Writer.WriteElementString('dev', 'code', $nsDev, $example.Code)
        $Writer.WriteStartElement('dev', 'remarks', $nsDev)
        foreach ($p in $example.Remarks) { $Writer.WriteElementString('maml', 'para', $nsMaml, $p) }
        $Writer.WriteEndElement()
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteStartElement('command', 'relatedLinks', $nsCommand)
    # Get-Help -Online opens the first link that has a URI: make that the cmdlet's own page in the
    # project's docs (the markdown this help is made from), so -Online never lands on someone else's.
    $links = @($Doc.Links)
    if ($onlineBase) { $links = @([pscustomobject]@{ Text = 'Online Version:'; Uri = "$onlineBase/$($Command.Name).md" }) + $links }
    foreach ($link in $links) {
        $Writer.WriteStartElement('maml', 'navigationLink', $nsMaml)
        $Writer.WriteElementString('maml', 'linkText', $nsMaml, $link.Text)
        $Writer.WriteElementString('maml', 'uri', $nsMaml, $link.Uri)
        $Writer.WriteEndElement()
    }
    $Writer.WriteEndElement()

    $Writer.WriteEndElement() # command:command
}

#endregion

$SourcePath = (Resolve-Path -LiteralPath $SourcePath).ProviderPath
$OutputPath = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath)
if (-not $ModulePath) {
    $moduleFolder = Split-Path -Parent (Split-Path -Parent $OutputPath)
    $ModulePath = Get-ChildItem -LiteralPath $moduleFolder -Filter '*.psd1' | Select-Object -First 1 -ExpandProperty FullName
    if (-not $ModulePath) { throw "No module manifest (*.psd1) in '$moduleFolder' (the folder above -OutputPath's folder). Build the module first or pass -ModulePath." }
}
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath

$commands = @(Get-CmdletMetadata $ModulePath)
# The project's published docs/help folder, from the manifest's ProjectUri (no ProjectUri: no online link).
$projectUri = (Import-PowerShellDataFile -LiteralPath $ModulePath).PrivateData.PSData.ProjectUri
$onlineBase = if ($projectUri) { "$($projectUri.TrimEnd('/'))/blob/main/docs/help" } else { $null }
$problems = [Collections.Generic.List[string]]::new()
$docs = @{}
foreach ($file in Get-ChildItem -LiteralPath $SourcePath -Filter '*-*.md' -File | Sort-Object Name) {
    $doc = Read-HelpMarkdown $file $problems
    if ($doc.Name) { $docs[$doc.Name] = $doc }
}

$exported = @($commands.Name)
foreach ($name in $docs.Keys | Sort-Object) {
    if ($name -notin $exported) { $problems.Add("$name.md: the module exports no cmdlet '$name' (exported: $($exported -join ', ')).") }
}
foreach ($command in $commands) {
    $doc = $docs[$command.Name]
    if (-not $doc) { $problems.Add("$($command.Name): no help source; write $(Join-Path $SourcePath "$($command.Name).md")."); continue }
    $actual = @($command.Parameters | ForEach-Object Name)
    foreach ($name in $actual) {
        if (-not $doc.Parameters.Contains($name) -and -not $standardDescriptions.ContainsKey($name)) {
            $problems.Add("$($command.Name).md: parameter -$name is not documented under '## PARAMETERS' ('### -$name').")
        }
    }
    foreach ($name in $doc.Parameters.Keys) {
        if ($name -cnotin $actual) {
            $similar = $actual | Where-Object { $_ -eq $name }
            $problems.Add("$($command.Name).md: documents -$name, which $($command.Name) does not have$(if ($similar) { " (the cmdlet spells it -$similar)" }).")
        }
        elseif (-not ($doc.Parameters[$name] | Where-Object { $_ })) {
            $problems.Add("$($command.Name).md: -$name has no description.")
        }
    }
    foreach ($type in $command.OutputTypes) {
        if (-not ($doc.Outputs | Where-Object { $_.Type -eq $type -or $_.Type -eq ($type -split '\.')[-1] })) {
            $problems.Add("$($command.Name).md: output type $type (from [OutputType]) is not listed under '## OUTPUTS' ('### $type').")
        }
    }
}
if ($problems.Count) {
    throw "Help is out of step with the module ($($problems.Count) problem$(if ($problems.Count -gt 1) { 's' })):`n  - $($problems -join "`n  - ")"
}

$null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $OutputPath)
$settings = [Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.IndentChars = '  '
$settings.Encoding = [Text.UTF8Encoding]::new($false)
$settings.NewLineChars = "`n"
$settings.CheckCharacters = $true
$temporary = "$OutputPath.tmp"
$writer = [Xml.XmlWriter]::Create($temporary, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', 'http://msh')
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($command in $commands) { Write-Command $writer $command $docs[$command.Name] }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally {
    $writer.Dispose()
}
# Read it back: a file Get-Help cannot parse must not be shipped.
$null = [xml](Get-Content -Raw -LiteralPath $temporary)
Move-Item -LiteralPath $temporary -Destination $OutputPath -Force
Write-Host "Help: $($commands.Count) cmdlets written to $OutputPath."
