//go:build !unix

package spawn

import (
	"context"
	"os"
	"syscall"
)

// canSpawn: not here; Start and StartServer return ErrUnsupported.
const canSpawn = false

func lockFile(context.Context, string) (func(), error) { return nil, ErrUnsupported }

func rolePipes() (in, out *os.File, err error) { return nil, nil, ErrUnsupported }

func detachedAttr(bool) *syscall.SysProcAttr { return nil }

// oNoFollow: no such flag here.
const oNoFollow = 0
