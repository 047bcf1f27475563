#pragma once
#define FAKE_SCALE 2.0f
