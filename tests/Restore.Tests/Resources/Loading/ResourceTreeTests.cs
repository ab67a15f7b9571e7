using KafkaRestored.Restore.Resources.Loading;
using KafkaRestored.Restore.Resources.Validation;
using KafkaRestored.TestSupport;
using static KafkaRestored.Restore.Tests.Resources.ResourceSamples;

namespace KafkaRestored.Restore.Tests.Resources.Loading;

/// <summary>Loading directory trees and paths: order, skipped folders, refused files, missing paths.</summary>
public class ResourceTreeTests
{
    [Fact]
    public void Directory_trees_load_in_sorted_order_skipping_status_snapshots_hidden_and_other_files()
    {
        using var dir = new TempDir();
        void Write(string rel, string name)
        {
            var path = dir.Combine(rel.Split('/'));
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, Minimal.Replace("name: minimal", "name: " + name, StringComparison.Ordinal));
        }
        Write("zeta/b.yml", "from-yml");
        Write("alpha/a.yaml", "from-alpha");
        Write("alpha/UPPER.YAML", "from-upper");
        Write("top.yaml", "from-top");
        Write("status/kafkarestore/default/x.yaml", "from-status");
        Write("snapshots/s.yaml", "from-snapshots");
        Write(".git/hooks/h.yaml", "from-git");
        Write("nested/status/kept.yaml", "from-nested-status");
        Write("notes.txt", "from-txt");

        var result = ResourceLoader.LoadPaths([dir.Path, dir.Combine("top.yaml")]);

        Assert.Empty(result.Diagnostics);
        Assert.Equal(5, result.FileCount);
        Assert.Equal(["from-upper", "from-alpha", "from-nested-status", "from-top", "from-yml"],
            result.Resources.Select(r => r.Resource.Metadata.Name));
        Assert.Equal(dir.Combine("alpha", "UPPER.YAML"), result.Resources[0].File);

        var withStatus = ResourceLoader.LoadPaths([dir.Path], new ResourceLoadOptions([]));
        Assert.Equal(7, withStatus.FileCount);
    }

    [Fact]
    public void Symlinked_and_binary_files_in_a_tree_are_refused_as_the_daemon_refuses_them()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("good.yaml"), Minimal);
        File.CreateSymbolicLink(dir.Combine("link.yaml"), dir.Combine("good.yaml"));
        File.WriteAllBytes(dir.Combine("binary.yml"), [.. "apiVersion: kafka.oso.sh/v1alpha1\n"u8, 0, 1, 2]);

        var result = ResourceLoader.LoadPaths([dir.Path]);

        Assert.Equal(
            [(dir.Combine("link.yaml"), DiagnosticCodes.SymlinkNotFollowed), (dir.Combine("binary.yml"), DiagnosticCodes.BinaryFile)],
            result.Diagnostics.Select(d => (d.File, d.Code)));
        Assert.All(result.Diagnostics, d => Assert.Equal((1, 1, true, null), (d.Line, d.Column, d.IsError, d.Resource)));
        Assert.Equal(dir.Combine("good.yaml"), Assert.Single(result.Resources).File);

        // A link named on the command line is what the user asked for: it is read.
        var named = ResourceLoader.LoadPaths([dir.Combine("link.yaml")]);
        Assert.Empty(named.Diagnostics);
        Assert.Single(named.Resources);
    }

    [Fact]
    public void A_file_that_cannot_be_opened_is_FileUnreadable_and_the_rest_still_load()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("good.yaml"), Minimal);
        // A Unix socket is listed like a file, but open() refuses it (ENXIO) even for root, unlike a chmod 000 file.
        var path = dir.Combine("socket.yaml");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));

        var result = ResourceLoader.LoadPaths([dir.Path]);

        var problem = Assert.Single(result.Diagnostics);
        Assert.Equal((path, DiagnosticCodes.FileUnreadable, 1, 1, true), (problem.File, problem.Code, problem.Line, problem.Column, problem.IsError));
        Assert.StartsWith($"{path}:1:1: error: FileUnreadable: the file cannot be read (IOException: ", problem.ToString(), StringComparison.Ordinal);
        Assert.Equal(dir.Combine("good.yaml"), Assert.Single(result.Resources).File);
    }

    [Fact]
    public void A_missing_path_is_a_PathNotFound_error()
    {
        using var dir = new TempDir();
        var missing = dir.Combine("nope");

        var result = ResourceLoader.LoadPaths([missing]);

        Assert.Equal($"{missing}:1:1: error: PathNotFound: no such file or directory", Assert.Single(result.Diagnostics).ToString());
    }
}
