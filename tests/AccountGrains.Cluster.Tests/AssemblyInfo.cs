// One cluster at a time: each runs several processes on a 2-core machine, and the restart tests stop the servers
// every cluster shares.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
