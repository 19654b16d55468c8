//go:build !unix

package addr

import "os"

// ownedByOther reports whether another user owns the file. Without unix
// file ownership it cannot tell, and the directory's mode is all there is.
func ownedByOther(fi os.FileInfo) bool { return false }
