package resp

// Reply texts of the set commands (SPOP, SRANDMEMBER, SINTERCARD). Named
// for sets, though the sorted sets and lists share some of the words, so
// that the types written side by side do not collide; merge them later.
const ()
