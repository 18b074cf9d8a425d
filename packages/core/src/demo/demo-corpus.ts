/**
 * The core demo's training text: a short original piece written for nextx (no third-party text), small enough to
 * ship in the package and to learn a little of in a minute of training.
 */
export const DEMO_CORPUS = `The Keeper of the Light

The lighthouse stood at the end of the long grey point, where the land gave up and the sea began. Every evening the keeper climbed the hundred and twelve steps of the tower, trimmed the wick, wiped the great glass clean, and lit the lamp. Every morning he climbed them again, put out the flame, and wrote in his book the weather of the night: the wind, the sea, the ships that passed.

The book was old. The first pages were written by a keeper who had died before the keeper was born, and the ink had turned brown like dry leaves. Wind from the west, the old pages said. Sea rough. Two ships passed to the north. Wind from the north, sea calm, no ships. Rain in the night, fog at dawn. The keeper liked to read them when the lamp was lit and the tower hummed with the turning of the light.

In the spring the birds came back to the cliffs. They came in the hundreds and then in the thousands, and the air above the point was full of their crying. The keeper counted them in his book as well as he could. Many gulls, he wrote. Many terns. One great black bird that I do not know. In the summer the sea was blue and quiet, and the boats of the fishermen went out in the morning and came home in the evening, low in the water with the weight of the catch.

In the autumn the storms began. The wind came from the west and then from the south, and the waves climbed the rocks and threw their white spray over the lower windows of the tower. On those nights the keeper did not sleep. He sat by the lamp and watched the light go round, out over the black water and back again, out and back, out and back, and he listened to the wind and to the sea, and he wrote in his book. Wind from the south west, very strong. Sea high. No ships. The light is burning well.

One night in the winter a ship came too close to the rocks. The keeper saw her lights in the rain, red and green and white, far too near the point. He rang the bell of the tower, and he rang it again and again, and the light went round and round above him. For a long time the ship did not turn. Then, slowly, her lights moved to the north, away from the rocks, out into the open sea, and then they were gone in the rain. The keeper wrote in his book: Wind from the west, storm. Sea very high. One ship passed close to the point and turned away. The light is burning well.

In the morning the rain stopped and the sun came out over a clean and shining sea. The keeper put out the lamp and went down the hundred and twelve steps, and he made his breakfast of bread and tea, and he sat in the door of the house at the foot of the tower and watched the birds. The sea was quiet again. The wind was from the north, soft and cold. Far out on the water a ship was passing, very small, on her way to some other harbour.

The keeper thought of all the keepers who had written in the book before him, and of all the ships they had seen, and of all the nights the light had burned. He thought of the keepers who would come after him and write their own weather in their own ink. Wind from the north, he would write tonight. Sea calm. The light is burning well. It was not much to say. But it was true, and it was written down, and the ships went by in the dark and came safely home.

`;
