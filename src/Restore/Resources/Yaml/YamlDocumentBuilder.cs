using KafkaRestored.Restore.Resources.Model;
using KafkaRestored.Restore.Resources.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace KafkaRestored.Restore.Resources.Yaml;

/// <summary>Builds one document's tree from parser events, enforcing the caps.</summary>
internal sealed class YamlDocumentBuilder(int lineOffset, long startIndex)
{
    private readonly List<Problem> _problems = [];
    private readonly Stack<Frame> _frames = new();
    private readonly Dictionary<string, YNode> _anchors = new(StringComparer.Ordinal);
    private YNode? _root;
    private TextPosition? _start;
    private bool _skipping; // nothing more is kept: a foreign document, or a cap was hit
    private Problem? _deferred; // a cap hit before we knew whether the document is ours
    private bool _aborted;
    private long _nodes;
    private int _depth;

    // Root-level key tracking, kept even while skipping, to learn the apiVersion cheaply.
    private bool _rootIsMapping;
    private bool _notMapping;
    private long _rootChild;
    private string? _rootKey;
    private string? _apiVersion;
    private TextPosition? _apiVersionAt;
    private int _nestedOurs;

    private bool KnownOurs => _apiVersion == ApiVersions.V1Alpha1;

    private bool Foreign => _notMapping || (_apiVersion is not null && !KnownOurs);

    public TextPosition? InnermostOpenFlow => _frames.FirstOrDefault(f => f.Flow)?.Start;

    /// <summary>Takes one event; false when the document must stop here.</summary>
    public bool Accept(ParsingEvent ev)
    {
        var pos = YamlDocumentReader.Position(ev.Start, lineOffset);
        _start ??= pos;
        if (!_skipping && ev.End.Index - startIndex > ResourceLimits.MaxDocumentChars
            && !Trouble(pos, DiagnosticCodes.DocumentTooLarge,
                $"this resource document is larger than {ResourceLimits.MaxDocumentChars / 1024} KiB " +
                "(the limit); resources are small: check for pasted data, or split it"))
            return false;

        switch (ev)
        {
            case Scalar s:
                TrackRoot(s.Value, isScalar: true, pos);
                if (_depth >= 2 && s.Value == ApiVersions.V1Alpha1) _nestedOurs++;
                if (_depth == 0) _notMapping = true;
                if (!_skipping)
                {
                    if (Count(1, pos)) Attach(new YScalar(pos, TagOf(s.Tag), s.Value, s.Style), s.Anchor);
                    else if (_aborted) return false;
                }
                return true;
            case AnchorAlias a:
                TrackRoot(null, isScalar: false, pos);
                if (_depth == 0) _notMapping = true;
                return _skipping || Alias(a.Value.Value, pos);
            case MappingStart or SequenceStart:
                return StartCollection((NodeEvent)ev, pos);
            case MappingEnd or SequenceEnd:
                EndCollection();
                return true;
            default:
                return true;
        }
    }

    private bool Alias(string name, TextPosition pos)
    {
        if (!_anchors.TryGetValue(name, out var target))
            return Trouble(pos, DiagnosticCodes.InvalidAlias, $"alias *{name} refers to no anchor defined before it");
        if (target.Open)
            return Trouble(pos, DiagnosticCodes.InvalidAlias, $"alias *{name} refers to a collection that contains it (a cycle)");
        if (_nodes + target.Weight > ResourceLimits.MaxDocumentNodes)
        {
            return Trouble(pos, DiagnosticCodes.AliasExpansionTooLarge,
                $"alias *{name} makes this document expand to more than {ResourceLimits.MaxDocumentNodes:N0} nodes " +
                "(the limit); write the values out or use fewer aliases");
        }
        _nodes += target.Weight;
        Attach(target, AnchorName.Empty);
        return true;
    }

    private bool StartCollection(NodeEvent ev, TextPosition pos)
    {
        TrackRoot(null, isScalar: false, pos);
        var isMapping = ev is MappingStart;
        if (_depth == 0)
        {
            _rootIsMapping = isMapping;
            _notMapping = !isMapping;
            if (Foreign) Skip();
        }
        _depth++;
        if (_depth > ResourceLimits.MaxForeignDepth)
        {
            // Even an ignored document stops here: the YAML scanner slows down quadratically with flow depth.
            _problems.Add(_deferred ?? DepthProblem(pos, ResourceLimits.MaxForeignDepth));
            _deferred = null;
            _aborted = true;
            return false;
        }
        if (_depth > ResourceLimits.MaxDepth && !Foreign
            && !Trouble(pos, DiagnosticCodes.NestingTooDeep, DepthProblem(pos, ResourceLimits.MaxDepth).Message))
            return false;

        var flow = ev is MappingStart { Style: MappingStyle.Flow } or SequenceStart { Style: SequenceStyle.Flow };
        YNode? node = null;
        if (!_skipping)
        {
            if (Count(1, pos))
            {
                node = isMapping ? new YMapping(pos, TagOf(ev.Tag)) : new YSequence(pos, TagOf(ev.Tag));
                node.Open = true;
                Attach(node, ev.Anchor);
            }
            else if (_aborted) return false;
        }
        _frames.Push(new Frame(node, flow, pos));
        return true;
    }

    private void EndCollection()
    {
        _depth--;
        if (_frames.Count == 0 || _frames.Pop().Node is not { } done) return;
        done.Open = false;
        long weight = 1;
        var children = done switch
        {
            YSequence s => s.Items,
            YMapping m => m.Entries.SelectMany(e => new[] { e.Key, e.Value }),
            _ => [],
        };
        foreach (var child in children) weight = Math.Min(long.MaxValue / 4, weight + child.Weight);
        done.Weight = weight;
    }

    private static Problem DepthProblem(TextPosition pos, int limit) =>
        new(pos, DiagnosticSeverity.Error, DiagnosticCodes.NestingTooDeep,
            $"collections nest more than {limit} levels deep here (the limit); no resource needs that");

    /// <summary>Follows root-level key/value pairs to learn apiVersion (and where it stands) before building much.</summary>
    private void TrackRoot(string? scalar, bool isScalar, TextPosition pos)
    {
        if (_depth != 1 || !_rootIsMapping) return;
        var isKey = _rootChild % 2 == 0;
        _rootChild++;
        if (isKey)
        {
            _rootKey = isScalar ? scalar : null;
            return;
        }
        if (_rootKey == "apiVersion" && isScalar && _apiVersion is null)
        {
            _apiVersion = scalar;
            _apiVersionAt = pos;
            if (Foreign) Skip();
        }
    }

    private bool Count(long n, TextPosition pos)
    {
        if (_nodes + n <= ResourceLimits.MaxDocumentNodes)
        {
            _nodes += n;
            return true;
        }
        Trouble(pos, DiagnosticCodes.DocumentTooLarge,
            $"this resource document has more than {ResourceLimits.MaxDocumentNodes:N0} nodes (the limit); " +
            "resources are small: check for pasted data");
        return false;
    }

    /// <summary>A cap was hit. Ours: stop now. Not known yet: stop keeping nodes but read on to learn
    /// the apiVersion, and report only if the document turns out to be ours. Returns false to stop.</summary>
    private bool Trouble(TextPosition pos, string code, string message)
    {
        var problem = new Problem(pos, DiagnosticSeverity.Error, code, message);
        if (KnownOurs)
        {
            _problems.Add(_deferred ?? problem);
            _deferred = null;
            _aborted = true;
            return false;
        }
        _deferred ??= problem;
        Skip();
        return true;
    }

    private void Skip()
    {
        _skipping = true;
        _anchors.Clear();
        foreach (var f in _frames) f.Node = null;
    }

    private void Attach(YNode node, AnchorName anchor)
    {
        if (!anchor.IsEmpty) _anchors[anchor.Value] = node;
        if (_frames.Count == 0)
        {
            _root ??= node;
            return;
        }
        var parent = _frames.Peek();
        switch (parent.Node)
        {
            case YSequence seq:
                seq.Items.Add(node);
                break;
            case YMapping map when parent.PendingKey is null:
                parent.PendingKey = node;
                break;
            case YMapping map:
                map.Entries.Add(new(parent.PendingKey, node));
                parent.PendingKey = null;
                break;
            default:
                break;
        }
    }

    public void SyntaxError(TextPosition at, string message)
    {
        _start ??= at;
        _problems.Add(new Problem(at, DiagnosticSeverity.Error, DiagnosticCodes.YamlSyntax, message));
        _aborted = true;
    }

    public RawDocument Finish()
    {
        if (_deferred is not null) _problems.Insert(0, _deferred);
        var empty = _root is null && _problems.Count == 0;
        // Read to the end without meeting an apiVersion at the root: not a resource, whatever cap it hit.
        var noApiVersion = !_aborted && _apiVersion is null && _rootIsMapping && _deferred is not null;
        var foreign = Foreign || empty || noApiVersion;
        var complete = !_aborted && _problems.Count == 0;
        // Another apiVersion: its problems are not ours to report (a Helm template may not even be YAML).
        if (foreign) _problems.Clear();
        return new RawDocument(_root, _start ?? new TextPosition(1 + lineOffset, 1), complete, foreign, _apiVersion,
            [.. _problems], _nestedOurs)
        {
            ApiVersionAt = _apiVersionAt,
        };
    }

    private static string? TagOf(TagName tag) => tag.IsEmpty ? null : tag.Value;

    private sealed class Frame(YNode? node, bool flow, TextPosition start)
    {
        public YNode? Node { get; set; } = node;
        public bool Flow { get; } = flow;
        public TextPosition Start { get; } = start;
        public YNode? PendingKey { get; set; }
    }
}
