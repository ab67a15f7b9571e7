// The reconciler: Git source, LiteDB state, planning, execution and status write-back.
[assembly: System.CLSCompliant(false)]
