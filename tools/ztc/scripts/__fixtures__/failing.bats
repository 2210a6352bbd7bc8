#!/usr/bin/env bats
@test "fails on purpose" {
  [ 1 -eq 2 ]
}
